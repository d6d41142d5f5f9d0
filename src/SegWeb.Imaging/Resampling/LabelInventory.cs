using System.Numerics;

namespace SegWeb.Imaging.Resampling;

/// <summary>
/// The distinct labels of a label map (ascending) and which of them occur in each Z slice, so per-label
/// resampling only visits labels that can contribute to an output slice.
/// </summary>
internal sealed class LabelInventory<T>
    where T : unmanaged, INumber<T>
{
    private LabelInventory(T[] labels, bool[][] presentBySlice)
    {
        Labels = labels;
        PresentBySlice = presentBySlice;
    }

    public T[] Labels { get; }

    /// <summary>[z][label index] → the label occurs in input slice z.</summary>
    public bool[][] PresentBySlice { get; }

    public static LabelInventory<T> Scan(T[] data, int sliceSize, int slices)
    {
        var perSlice = new HashSet<T>[slices];
        Parallel.For(0, slices, z =>
        {
            var set = new HashSet<T>();
            var span = data.AsSpan(z * sliceSize, sliceSize);
            T previous = span[0];
            set.Add(previous);
            foreach (var v in span)
            {
                // Label maps are piecewise constant: only hash where the value changes.
                if (v != previous)
                {
                    set.Add(v);
                    previous = v;
                }
            }

            perSlice[z] = set;
        });
        var all = new SortedSet<T>();
        foreach (var set in perSlice)
        {
            all.UnionWith(set);
        }

        var labels = all.ToArray();
        var index = new Dictionary<T, int>();
        for (int i = 0; i < labels.Length; i++)
        {
            index[labels[i]] = i;
        }

        var present = new bool[slices][];
        for (int z = 0; z < slices; z++)
        {
            present[z] = new bool[labels.Length];
            foreach (var v in perSlice[z])
            {
                present[z][index[v]] = true;
            }
        }

        return new LabelInventory<T>(labels, present);
    }
}
