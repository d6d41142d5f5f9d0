using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// Typed access to a label map for the SEG writer: which labels occur on which slices, and one (label, slice) mask
/// packed into the SEG's bit stream. Created through <see cref="VolumeDispatch"/> so voxel loops run on T[].
/// </summary>
internal interface ILabelFrames
{
    /// <summary>Label value → ascending slice indices (k) where it occurs. Throws for non-integer or negative values.</summary>
    SortedDictionary<int, List<int>> Occurrences(string labelsName);

    /// <summary>
    /// Sets the bits of frame <paramref name="frameIndex"/> for voxels of slice <paramref name="k"/> equal to
    /// <paramref name="label"/>; DICOM frame rows run top to bottom, which is j = ny − 1 − row (dcm2niix's flip).
    /// </summary>
    void Pack(int label, int k, long frameIndex, byte[] bits);
}

internal sealed class LabelFramesFactory : IVolumeFunc<ILabelFrames>
{
    public static ILabelFrames For(Volume labels) => VolumeDispatch.Apply(labels, new LabelFramesFactory());

    public ILabelFrames Invoke<T>(Volume<T> volume)
        where T : unmanaged, INumber<T>, IMinMaxValue<T> => new LabelFrames<T>(volume);
}

internal sealed class LabelFrames<T>(Volume<T> volume) : ILabelFrames
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    public SortedDictionary<int, List<int>> Occurrences(string labelsName)
    {
        var shape = volume.Shape;
        var perSlice = new HashSet<int>[shape.Z];
        string? problem = null;
        Parallel.For(0, shape.Z, k =>
        {
            var seen = new HashSet<int>();
            var slice = volume.Slice(k);
            T last = T.Zero;
            for (int i = 0; i < slice.Length; i++)
            {
                T v = slice[i];
                if (v == T.Zero || v == last)
                {
                    continue; // runs of one label are the common case: skip the set lookup
                }

                last = v;
                double d = double.CreateTruncating(v);
                if (d < 0 || d != Math.Floor(d) || d > ushort.MaxValue)
                {
                    problem = $"voxel value {d} is not a label (labels are whole numbers 0..65535)";
                    return;
                }

                seen.Add((int)d);
            }

            perSlice[k] = seen;
        });

        if (problem is not null)
        {
            throw new Imaging.ImageFormatException(labelsName, problem);
        }

        var result = new SortedDictionary<int, List<int>>();
        for (int k = 0; k < shape.Z; k++)
        {
            foreach (var label in perSlice[k])
            {
                if (!result.TryGetValue(label, out var slices))
                {
                    result[label] = slices = [];
                }

                slices.Add(k);
            }
        }

        return result;
    }

    public void Pack(int label, int k, long frameIndex, byte[] bits)
    {
        int nx = volume.Shape.X, ny = volume.Shape.Y;
        T value = T.CreateTruncating(label);
        var slice = volume.Slice(k);
        long bit = frameIndex * nx * ny;
        for (int row = 0; row < ny; row++)
        {
            var line = slice.Slice((ny - 1 - row) * nx, nx);
            for (int x = 0; x < nx; x++, bit++)
            {
                if (line[x] == value)
                {
                    // PS3.5 8.1.1: with BitsAllocated 1, pixels are packed least significant bit first.
                    bits[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                }
            }
        }
    }
}
