using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Labels;

/// <summary>Which voxels form the foreground and which runs may join, for <see cref="RunLabeling{T}"/>.</summary>
internal enum RunMode
{
    /// <summary>Every non-zero voxel is foreground; neighbouring runs join whatever their values.</summary>
    NonZero,

    /// <summary>Only voxels equal to one label are foreground.</summary>
    SingleLabel,

    /// <summary>Every non-zero voxel is foreground, but only runs of the same value join (all labels at once).</summary>
    PerLabel,
}

/// <summary>
/// Two-pass connected-component labelling over runs: each X row is cut into runs of foreground voxels, runs
/// that touch in neighbouring rows are merged with a union-find, and components are numbered in the order
/// of their first voxel (X fastest). Working on runs instead of voxels keeps memory to four ints per run and
/// makes the merge cost proportional to the number of runs, not voxels.
/// </summary>
/// <remarks>
/// Run extraction and the merge inside each Z slab run in parallel; only the seams between slabs are merged
/// serially. A slab's unions only touch its own (contiguous) run indices, so no locking is needed.
/// </remarks>
internal sealed class RunLabeling<T>
    where T : unmanaged, INumber<T>
{
    private readonly int[] _parent;

    private RunLabeling(VolumeShape shape, int[] rowFirstRun, int[] runStart, int[] runEnd, T[]? runValue)
    {
        Shape = shape;
        RowFirstRun = rowFirstRun;
        RunStart = runStart;
        RunEnd = runEnd;
        RunValue = runValue;
        _parent = new int[runStart.Length];
        for (int i = 0; i < _parent.Length; i++)
        {
            _parent[i] = i;
        }
    }

    public VolumeShape Shape { get; }

    /// <summary>Index of the first run of row (y + Y·z); length rows + 1.</summary>
    public int[] RowFirstRun { get; }

    public int[] RunStart { get; }

    /// <summary>Exclusive end x of each run.</summary>
    public int[] RunEnd { get; }

    /// <summary>The voxel value of each run (only in <see cref="RunMode.PerLabel"/>).</summary>
    public T[]? RunValue { get; }

    /// <summary>Component id (1-based) of each run.</summary>
    public int[] RunComponent { get; private set; } = [];

    public int ComponentCount { get; private set; }

    /// <summary>Voxels per component, index 0 unused.</summary>
    public long[] VoxelCounts { get; private set; } = [];

    public ComponentBox[] Boxes { get; private set; } = [];

    /// <summary>
    /// For each component, the smallest C-order key ((x·Y + y)·Z + z) of its voxels: the order in which
    /// scipy.ndimage.label, scanning nibabel's (X, Y, Z) array, meets components. Used to break ties the same way.
    /// </summary>
    public long[] FirstCOrderKey { get; private set; } = [];

    /// <summary>The label value of each component (only in <see cref="RunMode.PerLabel"/>).</summary>
    public T[] ComponentValue { get; private set; } = [];

    public static RunLabeling<T> Build(Volume<T> volume, RunMode mode, T label, Connectivity connectivity)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (connectivity is not (Connectivity.Six or Connectivity.TwentySix))
        {
            throw new ArgumentOutOfRangeException(nameof(connectivity), connectivity, "Connectivity must be Six or TwentySix.");
        }

        var shape = volume.Shape;
        var data = volume.Data;
        int rows = shape.Y * shape.Z;
        int nx = shape.X;

        // Pass 1: count runs per row, so that runs can be stored in flat arrays without per-row lists.
        var rowCount = new int[rows + 1];
        Parallel.For(0, shape.Z, z =>
        {
            for (int y = 0; y < shape.Y; y++)
            {
                int row = y + (shape.Y * z);
                rowCount[row] = ScanRow(data.AsSpan(row * nx, nx), mode, label, null, null, null, 0);
            }
        });

        var rowFirst = new int[rows + 1];
        long total = 0;
        for (int r = 0; r < rows; r++)
        {
            rowFirst[r] = (int)total;
            total += rowCount[r];
        }

        rowFirst[rows] = (int)total;
        var starts = new int[total];
        var ends = new int[total];
        var values = mode == RunMode.PerLabel ? new T[total] : null;
        Parallel.For(0, shape.Z, z =>
        {
            for (int y = 0; y < shape.Y; y++)
            {
                int row = y + (shape.Y * z);
                ScanRow(data.AsSpan(row * nx, nx), mode, label, starts, ends, values, rowFirst[row]);
            }
        });

        var result = new RunLabeling<T>(shape, rowFirst, starts, ends, values);
        result.Merge(connectivity);
        result.Number();
        return result;
    }

    /// <summary>Finds the runs of one row; counts them, and stores them when arrays are given.</summary>
    private static int ScanRow(ReadOnlySpan<T> row, RunMode mode, T label, int[]? starts, int[]? ends, T[]? values, int first)
    {
        int count = 0;
        int x = 0;
        while (x < row.Length)
        {
            var rest = row[x..];
            int s = mode == RunMode.SingleLabel ? rest.IndexOf(label) : rest.IndexOfAnyExcept(T.Zero);
            if (s < 0)
            {
                break;
            }

            s += x;
            var tail = row[s..];
            T value = row[s];
            int len = mode switch
            {
                RunMode.NonZero => tail.IndexOf(T.Zero),
                _ => tail.IndexOfAnyExcept(value),
            };
            int e = len < 0 ? row.Length : s + len;
            if (starts is not null)
            {
                starts[first + count] = s;
                ends![first + count] = e;
                if (values is not null)
                {
                    values[first + count] = value;
                }
            }

            count++;
            x = e;
        }

        return count;
    }

    private void Merge(Connectivity connectivity)
    {
        int nz = Shape.Z;
        int slabs = Math.Clamp(Environment.ProcessorCount * 4, 1, nz);
        Parallel.For(0, slabs, s =>
        {
            int z0 = (int)((long)nz * s / slabs), z1 = (int)((long)nz * (s + 1) / slabs);
            for (int z = z0; z < z1; z++)
            {
                MergeSlice(z, connectivity, includePreviousSlice: z > z0);
            }
        });

        // The seams: the first slice of each slab against the last slice of the previous one.
        for (int s = 1; s < slabs; s++)
        {
            int z0 = (int)((long)nz * s / slabs);
            MergeSliceWithPrevious(z0, connectivity);
        }
    }

    private void MergeSlice(int z, Connectivity connectivity, bool includePreviousSlice)
    {
        for (int y = 0; y < Shape.Y; y++)
        {
            int row = y + (Shape.Y * z);
            if (y > 0)
            {
                MergeRows(row, row - 1, diagonal: connectivity == Connectivity.TwentySix);
            }
        }

        if (includePreviousSlice)
        {
            MergeSliceWithPrevious(z, connectivity);
        }
    }

    private void MergeSliceWithPrevious(int z, Connectivity connectivity)
    {
        bool diagonal = connectivity == Connectivity.TwentySix;
        for (int y = 0; y < Shape.Y; y++)
        {
            int row = y + (Shape.Y * z);
            int below = row - Shape.Y;
            MergeRows(row, below, diagonal);
            if (diagonal)
            {
                if (y > 0)
                {
                    MergeRows(row, below - 1, diagonal);
                }

                if (y < Shape.Y - 1)
                {
                    MergeRows(row, below + 1, diagonal);
                }
            }
        }
    }

    /// <summary>Unions every pair of touching runs of two rows (a sweep over both sorted run lists).</summary>
    /// <remarks>
    /// WHY not a plain two-pointer merge: with diagonal slack, and in <see cref="RunMode.PerLabel"/> where runs of
    /// different labels sit side by side, one run can touch a run of the other row that starts exactly at its end,
    /// after a run that ends at the same x. So each run of A scans every B run from the first one that can still
    /// reach it; the scan start only moves forward, and each B run is seen by the few A runs it overlaps.
    /// </remarks>
    private void MergeRows(int rowA, int rowB, bool diagonal)
    {
        int iEnd = RowFirstRun[rowA + 1];
        int j = RowFirstRun[rowB], jEnd = RowFirstRun[rowB + 1];
        int slack = diagonal ? 1 : 0; // diagonal neighbours also touch when runs only meet at a corner
        for (int i = RowFirstRun[rowA]; i < iEnd && j < jEnd; i++)
        {
            int start = RunStart[i], end = RunEnd[i] + slack;
            while (j < jEnd && RunEnd[j] + slack <= start)
            {
                j++;
            }

            for (int k = j; k < jEnd && RunStart[k] < end; k++)
            {
                if (RunValue is null || RunValue[i] == RunValue[k])
                {
                    Union(i, k);
                }
            }
        }
    }

    private int Find(int a)
    {
        while (_parent[a] != a)
        {
            _parent[a] = _parent[_parent[a]]; // path halving
            a = _parent[a];
        }

        return a;
    }

    private void Union(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra == rb)
        {
            return;
        }

        // The smaller run index stays root, so a root is always the first run of its component in scan order.
        if (ra < rb)
        {
            _parent[rb] = ra;
        }
        else
        {
            _parent[ra] = rb;
        }
    }

    private void Number()
    {
        int runs = RunStart.Length;
        var component = new int[runs];
        int count = 0;
        for (int r = 0; r < runs; r++)
        {
            int root = Find(r);
            component[r] = root == r ? ++count : component[root];
        }

        var counts = new long[count + 1];
        var boxes = new ComponentBox[count + 1];
        var keys = new long[count + 1];
        var compValues = new T[count + 1];
        Array.Fill(keys, long.MaxValue);
        for (int c = 1; c <= count; c++)
        {
            boxes[c] = new ComponentBox(int.MaxValue, int.MaxValue, int.MaxValue, -1, -1, -1);
        }

        long ny = Shape.Y, nz = Shape.Z;
        for (int z = 0; z < Shape.Z; z++)
        {
            for (int y = 0; y < Shape.Y; y++)
            {
                int row = y + (Shape.Y * z);
                for (int r = RowFirstRun[row]; r < RowFirstRun[row + 1]; r++)
                {
                    int c = component[r];
                    int s = RunStart[r], e = RunEnd[r];
                    counts[c] += e - s;
                    var b = boxes[c];
                    boxes[c] = new ComponentBox(Math.Min(b.MinX, s), Math.Min(b.MinY, y), Math.Min(b.MinZ, z),
                        Math.Max(b.MaxX, e - 1), Math.Max(b.MaxY, y), Math.Max(b.MaxZ, z));
                    long key = (((s * ny) + y) * nz) + z;
                    if (key < keys[c])
                    {
                        keys[c] = key;
                    }

                    if (RunValue is not null)
                    {
                        compValues[c] = RunValue[r];
                    }
                }
            }
        }

        RunComponent = component;
        ComponentCount = count;
        VoxelCounts = counts;
        Boxes = boxes;
        FirstCOrderKey = keys;
        ComponentValue = compValues;
    }

    /// <summary>Writes component ids into an int volume (0 = background).</summary>
    public int[] ToIdArray()
    {
        var ids = new int[Shape.VoxelCount];
        int nx = Shape.X;
        Parallel.For(0, Shape.Z, z =>
        {
            for (int y = 0; y < Shape.Y; y++)
            {
                int row = y + (Shape.Y * z);
                int offset = row * nx;
                for (int r = RowFirstRun[row]; r < RowFirstRun[row + 1]; r++)
                {
                    ids.AsSpan(offset + RunStart[r], RunEnd[r] - RunStart[r]).Fill(RunComponent[r]);
                }
            }
        });
        return ids;
    }

    /// <summary>Sets to zero, in <paramref name="data"/>, every voxel of the components for which <paramref name="remove"/> is true.</summary>
    public long Erase(T[] data, bool[] remove)
    {
        int nx = Shape.X;
        long erased = 0;
        Parallel.For(0, Shape.Z, () => 0L, (z, _, local) =>
        {
            for (int y = 0; y < Shape.Y; y++)
            {
                int row = y + (Shape.Y * z);
                int offset = row * nx;
                for (int r = RowFirstRun[row]; r < RowFirstRun[row + 1]; r++)
                {
                    if (remove[RunComponent[r]])
                    {
                        data.AsSpan(offset + RunStart[r], RunEnd[r] - RunStart[r]).Clear();
                        local += RunEnd[r] - RunStart[r];
                    }
                }
            }

            return local;
        }, local => Interlocked.Add(ref erased, local));
        return erased;
    }
}
