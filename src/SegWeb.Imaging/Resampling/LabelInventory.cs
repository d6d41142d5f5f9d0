using System.Numerics;

namespace SegWeb.Imaging.Resampling;

/// <summary>
/// The distinct labels of a label map (ascending) and which of them occur in each Z slice, so per-label
/// resampling only visits labels that can contribute to an output slice.
/// </summary>
internal sealed class LabelInventory<T>
    where T : unmanaged, INumber<T>
{
    private LabelInventory(T[] labels, bool[][] presentBySlice, (int Min, int Max)[][] rowsBySlice)
    {
        Labels = labels;
        PresentBySlice = presentBySlice;
        RowsBySlice = rowsBySlice;
    }

    public T[] Labels { get; }

    /// <summary>[z][label index] → the label occurs in input slice z.</summary>
    public bool[][] PresentBySlice { get; }

    /// <summary>[z][label index] → the first and last row (y) of slice z holding the label (meaningless when absent).</summary>
    public (int Min, int Max)[][] RowsBySlice { get; }

    public static LabelInventory<T> Scan(T[] data, int width, int sliceSize, int slices)
    {
        var perSlice = new Dictionary<T, (int Min, int Max)>[slices];
        Parallel.For(0, slices, z =>
        {
            var rows = new Dictionary<T, (int Min, int Max)>();
            int height = sliceSize / width;
            for (int y = 0; y < height; y++)
            {
                var span = data.AsSpan((z * sliceSize) + (y * width), width);
                T previous = span[0];
                Note(rows, previous, y);
                foreach (var v in span)
                {
                    // Label maps are piecewise constant: only look up where the value changes.
                    if (v != previous)
                    {
                        Note(rows, v, y);
                        previous = v;
                    }
                }
            }

            perSlice[z] = rows;
        });
        var all = new SortedSet<T>();
        foreach (var rows in perSlice)
        {
            all.UnionWith(rows.Keys);
        }

        var labels = all.ToArray();
        var index = new Dictionary<T, int>();
        for (int i = 0; i < labels.Length; i++)
        {
            index[labels[i]] = i;
        }

        var present = new bool[slices][];
        var extents = new (int, int)[slices][];
        for (int z = 0; z < slices; z++)
        {
            present[z] = new bool[labels.Length];
            extents[z] = new (int, int)[labels.Length];
            foreach (var (v, range) in perSlice[z])
            {
                present[z][index[v]] = true;
                extents[z][index[v]] = range;
            }
        }

        return new LabelInventory<T>(labels, present, extents);
    }

    private static void Note(Dictionary<T, (int Min, int Max)> rows, T value, int y)
    {
        rows[value] = rows.TryGetValue(value, out var r) ? (Math.Min(r.Min, y), Math.Max(r.Max, y)) : (y, y);
    }
}
