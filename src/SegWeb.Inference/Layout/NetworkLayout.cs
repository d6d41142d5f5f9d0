using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Layout;

/// <summary>The axis order of the array nnU-Net's image reader produced during training.</summary>
public enum ImageArrayOrder
{
    /// <summary>SimpleITKIO (nnU-Net's default, and what TotalSegmentator feeds): array axes (z, y, x).</summary>
    Zyx,

    /// <summary>NibabelIO: array axes (x, y, z).</summary>
    Xyz,
}

/// <summary>
/// Maps SegWeb volumes (voxel (x, y, z) at x + X·(y + Y·z)) onto the network input [C, D, H, W] and back. The
/// reader's array (axes (z, y, x) for <see cref="ImageArrayOrder.Zyx"/>, which is exactly SegWeb's memory layout)
/// is transposed by plans.json's transpose_forward: network axis i is array axis transpose_forward[i]. Labels come
/// back through the inverse mapping. See docs/inference.md.
/// </summary>
public sealed class NetworkLayout
{
    private readonly int[] _volumeAxisOfNetworkAxis;

    /// <summary>Creates the mapping for a model's transpose_forward and its reader's array order.</summary>
    public NetworkLayout(IReadOnlyList<int> transposeForward, ImageArrayOrder arrayOrder = ImageArrayOrder.Zyx)
    {
        ArgumentNullException.ThrowIfNull(transposeForward);
        if (transposeForward.Count != 3 || transposeForward.Order().Select((a, i) => a == i).Any(ok => !ok))
        {
            throw new InferenceException($"transpose_forward ({string.Join(", ", transposeForward)}) is not a permutation of 0, 1, 2");
        }

        int[] arrayAxisToVolumeAxis = arrayOrder == ImageArrayOrder.Zyx ? [2, 1, 0] : [0, 1, 2];
        _volumeAxisOfNetworkAxis = transposeForward.Select(a => arrayAxisToVolumeAxis[a]).ToArray();
    }

    /// <summary>For each network axis (D, H, W), the SegWeb volume axis (0 = x, 1 = y, 2 = z) it runs along.</summary>
    public IReadOnlyList<int> VolumeAxisOfNetworkAxis => _volumeAxisOfNetworkAxis;

    /// <summary>The network-order size (D, H, W) of a volume.</summary>
    public int[] NetworkSize(VolumeShape shape) => _volumeAxisOfNetworkAxis.Select(a => shape[a]).ToArray();

    /// <summary>The network-order spacing of a volume's voxel spacing (x, y, z).</summary>
    public double[] NetworkSpacing((double X, double Y, double Z) spacing)
    {
        double[] s = [spacing.X, spacing.Y, spacing.Z];
        return _volumeAxisOfNetworkAxis.Select(a => s[a]).ToArray();
    }

    /// <summary>
    /// Builds the network input from one volume per channel (same shape), as scaled float32 values
    /// (slope/intercept applied) in network order, channel slowest. Normalise it afterwards.
    /// </summary>
    public float[] ToNetwork(IReadOnlyList<Volume> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0)
        {
            throw new InferenceException("no input channels");
        }

        var shape = channels[0].Shape;
        if (channels.Any(c => c.Shape != shape))
        {
            throw new InferenceException($"input channels differ in shape ({string.Join(", ", channels.Select(c => c.Shape))})");
        }

        long voxels = shape.VoxelCount;
        if (voxels * channels.Count > Array.MaxLength)
        {
            throw new InferenceException($"{channels.Count} channel(s) of {shape} exceed the largest array .NET allows");
        }

        var result = new float[voxels * channels.Count];
        for (int c = 0; c < channels.Count; c++)
        {
            VolumeDispatch.Apply(channels[c], new Gather(this, result, c * voxels));
        }

        return result;
    }

    /// <summary>Turns network-order labels (D × H × W, W fastest) back into a SegWeb volume with the given affine.</summary>
    public Volume<byte> LabelsToVolume(byte[] labels, VolumeShape shape, Affine affine)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.LongLength != shape.VoxelCount)
        {
            throw new InferenceException($"{labels.LongLength} labels for a {shape} volume");
        }

        var data = new byte[labels.Length];
        var (strides, sizes) = Strides(shape);
        Parallel.For(0, sizes[0], d =>
        {
            long n = (long)d * sizes[1] * sizes[2];
            for (int h = 0; h < sizes[1]; h++)
            {
                long v = ((long)d * strides[0]) + ((long)h * strides[1]);
                for (int w = 0; w < sizes[2]; w++, n++, v += strides[2])
                {
                    data[v] = labels[n];
                }
            }
        });
        return new Volume<byte>(shape, affine, data);
    }

    /// <summary>Strides in the SegWeb volume of a step along each network axis, and the network sizes.</summary>
    private (long[] Strides, int[] Sizes) Strides(VolumeShape shape)
    {
        long[] volumeStrides = [1, shape.X, (long)shape.X * shape.Y];
        return (_volumeAxisOfNetworkAxis.Select(a => volumeStrides[a]).ToArray(), NetworkSize(shape));
    }

    private sealed class Gather(NetworkLayout layout, float[] target, long offset) : IVolumeFunc<bool>
    {
        public bool Invoke<T>(Volume<T> volume)
            where T : unmanaged, System.Numerics.INumber<T>, System.Numerics.IMinMaxValue<T>
        {
            var (strides, sizes) = layout.Strides(volume.Shape);
            var data = volume.Data;
            double slope = volume.Slope, intercept = volume.Intercept;
            Parallel.For(0, sizes[0], d =>
            {
                long n = offset + ((long)d * sizes[1] * sizes[2]);
                for (int h = 0; h < sizes[1]; h++)
                {
                    long v = ((long)d * strides[0]) + ((long)h * strides[1]);
                    for (int w = 0; w < sizes[2]; w++, n++, v += strides[2])
                    {
                        // The same conversion as Volume.ToFloat32: scale in double, round once to float.
                        target[n] = (float)((double.CreateTruncating(data[v]) * slope) + intercept);
                    }
                }
            });
            return true;
        }
    }
}
