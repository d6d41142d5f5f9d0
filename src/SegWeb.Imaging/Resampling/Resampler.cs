using System.Numerics;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Resampling;

/// <summary>
/// Resampling of intensity volumes to a new shape or spacing with nearest, linear or cubic B-spline
/// interpolation per axis, with the semantics of scipy.ndimage.zoom(order, mode='nearest', grid_mode=True)
/// — i.e. skimage's resize(mode='edge', anti_aliasing=False), the resampling nnU-Net v2 preprocesses with.
/// Output voxel o along an axis samples input coordinate (o + 0.5)·n_in/n_out − 0.5 (voxel areas aligned),
/// and the output affine is updated to match (<see cref="ResampledAffine"/>).
/// </summary>
public static class Resampler
{
    /// <summary>Largest output size along one axis that a request may ask for.</summary>
    public const int MaxAxisLength = 65535;

    /// <summary>
    /// The volume resampled to <paramref name="shape"/>. The result is float32 holding real values (slope and
    /// intercept applied), or, with <paramref name="keepVoxelType"/>, the input's voxel type holding stored
    /// values (rounded and saturated for integer types) with the input's slope and intercept.
    /// </summary>
    /// <exception cref="ResamplingException">Absurd shape or unsupported order.</exception>
    public static Volume ToShape(Volume volume, VolumeShape shape, AxisOrders orders, bool keepVoxelType = false)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return Run(volume, shape, orders, keepVoxelType, clip: null);
    }

    /// <summary>Float32 result of <see cref="ToShape(Volume, VolumeShape, AxisOrders, bool)"/> with one order on every axis.</summary>
    public static Volume<float> ToShape(Volume volume, VolumeShape shape, int order) =>
        (Volume<float>)ToShape(volume, shape, AxisOrders.All(order));

    /// <summary>
    /// The volume resampled to voxel size <paramref name="spacing"/> (mm per voxel axis). The new shape follows
    /// nnU-Net's rule round(n · current / target) per axis; the exact resulting spacing is current · n / round(…).
    /// </summary>
    /// <exception cref="ResamplingException">Spacing not finite and positive (requested or the volume's), or an absurd shape.</exception>
    public static Volume ToSpacing(Volume volume, (double X, double Y, double Z) spacing, AxisOrders orders, bool keepVoxelType = false)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var shape = ResampledShape(volume.Shape, volume.Spacing, spacing);
        return ToShape(volume, shape, orders, keepVoxelType);
    }

    /// <summary>nnU-Net's compute_new_shape: round(current / target · n) per axis (Python's round: half to even), at least 1.</summary>
    /// <exception cref="ResamplingException">A spacing is zero, negative, NaN or infinite, or the shape is absurd.</exception>
    public static VolumeShape ResampledShape(VolumeShape shape, (double X, double Y, double Z) current, (double X, double Y, double Z) target)
    {
        double[] cur = [current.X, current.Y, current.Z];
        double[] tgt = [target.X, target.Y, target.Z];
        Span<int> dims = stackalloc int[3];
        for (int i = 0; i < 3; i++)
        {
            RequireSpacing(tgt[i], "target");
            RequireSpacing(cur[i], "current");
            double n = Math.Round(cur[i] / tgt[i] * shape[i], MidpointRounding.ToEven);
            if (!(n <= MaxAxisLength))
            {
                throw new ResamplingException(
                    $"Resampling {shape} from spacing {Format(cur)} to {Format(tgt)} mm would need {n:0} voxels along axis {i}; at most {MaxAxisLength} are allowed.");
            }

            dims[i] = Math.Max(1, (int)n);
        }

        return new VolumeShape(dims[0], dims[1], dims[2]);
    }

    /// <summary>
    /// The affine of a grid resampled from <paramref name="from"/> to <paramref name="to"/> voxels over the same
    /// field of view: voxel o along an axis sits at input index (o + 0.5)·n_in/n_out − 0.5.
    /// </summary>
    public static Affine ResampledAffine(Affine affine, VolumeShape from, VolumeShape to)
    {
        ArgumentNullException.ThrowIfNull(affine);
        Span<double> m = stackalloc double[16];
        for (int i = 0; i < 3; i++)
        {
            double s = AxisKernel.Zoom(from[i], to[i]);
            m[(i * 4) + i] = s;
            m[(i * 4) + 3] = (0.5 * s) - 0.5;
        }

        m[15] = 1;
        return affine.Multiply(new Affine(m));
    }

    internal static void ValidateShape(VolumeShape shape)
    {
        if (shape.X < 1 || shape.Y < 1 || shape.Z < 1 || shape.X > MaxAxisLength || shape.Y > MaxAxisLength || shape.Z > MaxAxisLength)
        {
            throw new ResamplingException($"Cannot resample to {shape}: every dimension must be between 1 and {MaxAxisLength}.");
        }

        if (shape.VoxelCount > Array.MaxLength)
        {
            throw new ResamplingException($"Cannot resample to {shape}: {shape.VoxelCount} voxels is more than one volume can hold ({Array.MaxLength}).");
        }
    }

    internal static Volume Run(Volume volume, VolumeShape shape, AxisOrders orders, bool keepVoxelType, ClipPlan? clip)
    {
        ValidateShape(shape);
        orders.Validate();
        return VolumeDispatch.Apply(volume, new ResampleFunc(shape, orders, keepVoxelType, clip));
    }

    private static void RequireSpacing(double value, string which)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ResamplingException($"Cannot resample: the {which} spacing {value} mm is not a positive finite number.");
        }
    }

    private static string Format(double[] v) =>
        string.Join("×", v.Select(x => x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));

    private sealed class ResampleFunc(VolumeShape shape, AxisOrders orders, bool keepVoxelType, ClipPlan? clip) : IVolumeFunc<Volume>
    {
        public Volume Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var engine = new SliceResampler(volume.Shape, shape, orders);
            var affine = ResampledAffine(volume.Affine, volume.Shape, shape);
            var source = new VoxelSource<T>(volume.Data, volume.Shape.SliceSize);
            int slice = shape.SliceSize;
            if (keepVoxelType && typeof(T) != typeof(float))
            {
                // Stored values in the input type: interpolate in float, then round and saturate.
                var data = new T[shape.VoxelCount];
                Parallel.For(0, shape.Z, engine.CreateScratch, (z, _, scratch) =>
                {
                    var values = scratch.Output;
                    engine.ResampleSlice(source, z, scratch, values);
                    var target = data.AsSpan(z * slice, slice);
                    for (int i = 0; i < slice; i++)
                    {
                        target[i] = T.CreateSaturating(MathF.Round(values[i]));
                    }

                    return scratch;
                }, _ => { });
                return new Volume<T>(shape, affine, data, volume.Slope, volume.Intercept);
            }

            if (keepVoxelType)
            {
                // float32 input kept as stored values with its scaling.
                var stored = new float[shape.VoxelCount];
                Parallel.For(0, shape.Z, engine.CreateScratch, (z, _, scratch) =>
                {
                    engine.ResampleSlice(source, z, scratch, stored.AsSpan(z * slice, slice));
                    return scratch;
                }, _ => { });
                return new Volume<float>(shape, affine, stored, volume.Slope, volume.Intercept);
            }

            var result = new float[shape.VoxelCount];
            float slope = (float)volume.Slope, intercept = (float)volume.Intercept;
            bool scaled = volume.IsScaled;
            Parallel.For(0, shape.Z, engine.CreateScratch, (z, _, scratch) =>
            {
                var dst = result.AsSpan(z * slice, slice);
                engine.ResampleSlice(source, z, scratch, dst);
                if (scaled)
                {
                    for (int i = 0; i < dst.Length; i++)
                    {
                        dst[i] = (dst[i] * slope) + intercept;
                    }
                }

                clip?.Apply(dst, z, shape.X);
                return scratch;
            }, _ => { });
            return new Volume<float>(shape, affine, result);
        }
    }
}
