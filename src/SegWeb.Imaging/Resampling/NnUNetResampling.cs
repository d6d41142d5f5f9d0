using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Resampling;

/// <summary>nnU-Net's choice for one resampling: whether the low-resolution axis is handled separately, and which it is.</summary>
/// <param name="SeparateZ">True: in-plane with the data order, order_z along <paramref name="LowResolutionAxis"/>.</param>
/// <param name="LowResolutionAxis">The axis with the largest spacing (0, 1, 2) when <paramref name="SeparateZ"/>, else null.</param>
public sealed record SeparateZDecision(bool SeparateZ, int? LowResolutionAxis);

/// <summary>
/// Resampling exactly as nnU-Net v2 preprocesses and exports (nnunetv2.preprocessing.resampling.default_resampling):
/// new shape round(current/target·n); when max/min spacing of the current (else the target) spacing exceeds
/// <see cref="AnisotropyThreshold"/> and exactly one axis has the largest spacing, resample in-plane with the
/// given order and along that axis with order_z; otherwise all axes with the given order. Data goes through
/// skimage's resize(mode='edge', anti_aliasing=False, clip=True), so results are clipped to the input range
/// (per in-plane slice on the separate-z path); segmentations through resize_segmentation (per label, ≥ 0.5).
/// </summary>
public static class NnUNetResampling
{
    /// <summary>nnunetv2.configuration.ANISO_THRESHOLD.</summary>
    public const double AnisotropyThreshold = 3;

    /// <summary>nnU-Net's get_do_separate_z / get_lowres_axis logic of resample_data_or_seg_to_spacing.</summary>
    public static SeparateZDecision Decide(
        (double X, double Y, double Z) current, (double X, double Y, double Z) target, bool? forceSeparateZ = null, double threshold = AnisotropyThreshold)
    {
        double[] cur = [current.X, current.Y, current.Z];
        double[] tgt = [target.X, target.Y, target.Z];
        bool separate;
        int[]? axes;
        if (forceSeparateZ is bool force)
        {
            separate = force;
            axes = force ? LowResolutionAxes(cur) : null;
        }
        else if (IsAnisotropic(cur, threshold))
        {
            separate = true;
            axes = LowResolutionAxes(cur);
        }
        else if (IsAnisotropic(tgt, threshold))
        {
            separate = true;
            axes = LowResolutionAxes(tgt);
        }
        else
        {
            separate = false;
            axes = null;
        }

        // Two or three axes tied for the largest spacing (e.g. 0.24 × 1.25 × 1.25): nnU-Net resamples all axes together.
        if (axes is not null && axes.Length != 1)
        {
            separate = false;
        }

        return separate && axes is not null ? new SeparateZDecision(true, axes[0]) : new SeparateZDecision(false, null);
    }

    /// <summary>Image data resampled to <paramref name="targetSpacing"/> from the volume's own spacing (float32 real values).</summary>
    /// <exception cref="ResamplingException">Bad spacing, absurd shape, or order_z other than 0 on the separate-z path.</exception>
    public static Volume<float> ResampleData(Volume data, (double X, double Y, double Z) targetSpacing, int order = 3, int orderZ = 0, bool? forceSeparateZ = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = Resampler.ResampledShape(data.Shape, data.Spacing, targetSpacing);
        return ResampleDataToShape(data, shape, data.Spacing, targetSpacing, order, orderZ, forceSeparateZ);
    }

    /// <summary>Image data resampled to <paramref name="shape"/> (nnU-Net's resample_data_or_seg_to_shape, used for export).</summary>
    /// <exception cref="ResamplingException">Bad spacing, absurd shape, or order_z other than 0 on the separate-z path.</exception>
    public static Volume<float> ResampleDataToShape(
        Volume data, VolumeShape shape, (double X, double Y, double Z) currentSpacing, (double X, double Y, double Z) targetSpacing,
        int order = 3, int orderZ = 0, bool? forceSeparateZ = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (shape == data.Shape)
        {
            return data.ToFloat32(); // nnU-Net returns the data untouched
        }

        var decision = Decide(currentSpacing, targetSpacing, forceSeparateZ);
        if (decision.LowResolutionAxis is int axis)
        {
            RequireOrderZ(orderZ);
            var orders = AxisOrders.All(order).With(axis, orderZ);
            var clip = VolumeDispatch.Apply(data, new SliceRangeFunc(axis, shape[axis]));
            return (Volume<float>)Resampler.Run(data, shape, orders, keepVoxelType: false, clip);
        }

        var range = VolumeDispatch.Apply(data, new SliceRangeFunc(-1, 1));
        return (Volume<float>)Resampler.Run(data, shape, AxisOrders.All(order), keepVoxelType: false, range);
    }

    /// <summary>A segmentation resampled to <paramref name="targetSpacing"/> (same voxel type; nnU-Net's default order is 1).</summary>
    /// <exception cref="ResamplingException">Bad spacing, absurd shape, or order_z other than 0 on the separate-z path.</exception>
    public static Volume ResampleSegmentation(Volume segmentation, (double X, double Y, double Z) targetSpacing, int order = 1, int orderZ = 0, bool? forceSeparateZ = null)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        var shape = Resampler.ResampledShape(segmentation.Shape, segmentation.Spacing, targetSpacing);
        return ResampleSegmentationToShape(segmentation, shape, segmentation.Spacing, targetSpacing, order, orderZ, forceSeparateZ);
    }

    /// <summary>A segmentation resampled to <paramref name="shape"/>: order 0 → nearest; otherwise per label, ≥ 0.5, ascending labels.</summary>
    /// <exception cref="ResamplingException">Bad spacing, absurd shape, or order_z other than 0 on the separate-z path.</exception>
    public static Volume ResampleSegmentationToShape(
        Volume segmentation, VolumeShape shape, (double X, double Y, double Z) currentSpacing, (double X, double Y, double Z) targetSpacing,
        int order = 1, int orderZ = 0, bool? forceSeparateZ = null)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        if (shape == segmentation.Shape)
        {
            return segmentation;
        }

        var decision = Decide(currentSpacing, targetSpacing, forceSeparateZ);
        var orders = AxisOrders.All(order);
        if (decision.LowResolutionAxis is int axis)
        {
            RequireOrderZ(orderZ);
            orders = orders.With(axis, orderZ);
        }

        return order == 0 ? LabelResampler.Nearest(segmentation, shape) : LabelResampler.Threshold(segmentation, shape, orders);
    }

    private static void RequireOrderZ(int orderZ)
    {
        if (orderZ != 0)
        {
            throw new ResamplingException(
                $"order_z {orderZ} is not supported on nnU-Net's separate-z path (only 0, nnU-Net's default, is reproduced exactly).");
        }
    }

    private static bool IsAnisotropic(double[] spacing, double threshold) => spacing.Max() / spacing.Min() > threshold;

    private static int[] LowResolutionAxes(double[] spacing)
    {
        double max = spacing.Max();
        return Enumerable.Range(0, 3).Where(i => max / spacing[i] == 1).ToArray();
    }

    /// <summary>
    /// Clip ranges: the real-value min/max of the whole volume (axis −1), or, per output index along the
    /// low-resolution axis, of the input slice that order-0 selects there (skimage clips each 2D resize).
    /// </summary>
    private sealed class SliceRangeFunc(int axis, int outputLength) : IVolumeFunc<ClipPlan>
    {
        public ClipPlan Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var shape = volume.Shape;
            int n = axis < 0 ? 1 : shape[axis];
            var min = new double[n];
            var max = new double[n];
            Array.Fill(min, double.PositiveInfinity);
            Array.Fill(max, double.NegativeInfinity);
            var data = volume.Data;
            var gate = new Lock();
            Parallel.For(0, shape.Z, z =>
            {
                var localMin = new double[n];
                var localMax = new double[n];
                Array.Fill(localMin, double.PositiveInfinity);
                Array.Fill(localMax, double.NegativeInfinity);
                for (int y = 0; y < shape.Y; y++)
                {
                    var row = data.AsSpan((z * shape.SliceSize) + (y * shape.X), shape.X);
                    for (int x = 0; x < row.Length; x++)
                    {
                        int i = axis switch { 0 => x, 1 => y, 2 => z, _ => 0 };
                        double v = double.CreateTruncating(row[x]);
                        localMin[i] = Math.Min(localMin[i], v);
                        localMax[i] = Math.Max(localMax[i], v);
                    }
                }

                lock (gate)
                {
                    for (int i = 0; i < n; i++)
                    {
                        min[i] = Math.Min(min[i], localMin[i]);
                        max[i] = Math.Max(max[i], localMax[i]);
                    }
                }
            });

            // Real values: stored · slope + intercept (a negative slope swaps the ends).
            var realMin = new float[n];
            var realMax = new float[n];
            for (int i = 0; i < n; i++)
            {
                double a = (min[i] * volume.Slope) + volume.Intercept, b = (max[i] * volume.Slope) + volume.Intercept;
                realMin[i] = (float)Math.Min(a, b);
                realMax[i] = (float)Math.Max(a, b);
            }

            if (axis < 0)
            {
                return ClipPlan.Global(realMin[0], realMax[0]);
            }

            var select = AxisKernel.Create(shape[axis], outputLength, 0).Start;
            return ClipPlan.PerIndex(axis, select.Select(s => realMin[s]).ToArray(), select.Select(s => realMax[s]).ToArray());
        }
    }
}
