using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Resampling;

/// <summary>How a label map is resampled.</summary>
public enum LabelInterpolation
{
    /// <summary>Each output voxel copies the nearest input voxel (scipy zoom order 0, grid mode).</summary>
    Nearest,

    /// <summary>
    /// Each label's indicator is resampled linearly and the voxel takes the label with the largest value (ties:
    /// the smaller label). Smoother boundaries than nearest; still only labels present in the input.
    /// </summary>
    LinearArgmax,
}

/// <summary>
/// Resampling of label maps that never invents a label: every output value is a label of the input (or, for
/// nnU-Net's threshold rule, 0). Works per label on one output slice at a time, so no one-hot volume is built.
/// </summary>
public static class LabelResampler
{
    /// <summary>The label map resampled to <paramref name="shape"/>, keeping its voxel type, scaling and (resampled) affine.</summary>
    /// <exception cref="ResamplingException">Absurd shape.</exception>
    public static Volume ResampleLabels(Volume labels, VolumeShape shape, LabelInterpolation mode = LabelInterpolation.Nearest)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Resampler.ValidateShape(shape);
        return mode switch
        {
            LabelInterpolation.Nearest => VolumeDispatch.Apply(labels, new NearestFunc(shape)),
            LabelInterpolation.LinearArgmax => VolumeDispatch.Apply(labels, new PerLabelFunc(shape, AxisOrders.All(1), PerLabelRule.Argmax)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown label interpolation."),
        };
    }

    /// <summary>The label map resampled to voxel size <paramref name="spacing"/> (shape by nnU-Net's rounding rule).</summary>
    /// <exception cref="ResamplingException">Bad spacing or absurd shape.</exception>
    public static Volume ResampleLabelsToSpacing(Volume labels, (double X, double Y, double Z) spacing, LabelInterpolation mode = LabelInterpolation.Nearest)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return ResampleLabels(labels, Resampler.ResampledShape(labels.Shape, labels.Spacing, spacing), mode);
    }

    /// <summary>nnU-Net's resize_segmentation rule: labels ascending, each indicator resampled, set where ≥ 0.5 (later labels win), else 0.</summary>
    internal static Volume Threshold(Volume labels, VolumeShape shape, AxisOrders orders)
    {
        Resampler.ValidateShape(shape);
        orders.Validate();
        return VolumeDispatch.Apply(labels, new PerLabelFunc(shape, orders, PerLabelRule.ThresholdHalf));
    }

    internal static Volume Nearest(Volume labels, VolumeShape shape)
    {
        Resampler.ValidateShape(shape);
        return VolumeDispatch.Apply(labels, new NearestFunc(shape));
    }

    internal enum PerLabelRule
    {
        Argmax,
        ThresholdHalf,
    }

    private sealed class NearestFunc(VolumeShape shape) : IVolumeFunc<Volume>
    {
        public Volume Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var input = volume.Shape;
            var ix = AxisKernel.Create(input.X, shape.X, 0).Start;
            var iy = AxisKernel.Create(input.Y, shape.Y, 0).Start;
            var iz = AxisKernel.Create(input.Z, shape.Z, 0).Start;
            var src = volume.Data;
            var dst = new T[shape.VoxelCount];
            Parallel.For(0, shape.Z, z =>
            {
                long srcSlice = (long)iz[z] * input.SliceSize;
                for (int y = 0; y < shape.Y; y++)
                {
                    var row = src.AsSpan((int)(srcSlice + ((long)iy[y] * input.X)), input.X);
                    var outRow = dst.AsSpan((z * shape.SliceSize) + (y * shape.X), shape.X);
                    for (int x = 0; x < outRow.Length; x++)
                    {
                        outRow[x] = row[ix[x]];
                    }
                }
            });
            var affine = Resampler.ResampledAffine(volume.Affine, input, shape);
            return new Volume<T>(shape, affine, dst, volume.Slope, volume.Intercept);
        }
    }

    private sealed class PerLabelFunc(VolumeShape shape, AxisOrders orders, PerLabelRule rule) : IVolumeFunc<Volume>
    {
        public Volume Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var input = volume.Shape;
            var engine = new SliceResampler(input, shape, orders);
            var inventory = LabelInventory<T>.Scan(volume.Data, input.X, input.SliceSize, input.Z);
            var labels = inventory.Labels;
            var sources = labels.Select(l => new IndicatorSource<T>(volume.Data, input.SliceSize, l)).ToArray();
            var kz = engine.KernelZ;
            int slice = shape.SliceSize;
            var dst = new T[shape.VoxelCount];
            Parallel.For(0, shape.Z, () => (engine.CreateScratch(), new float[slice]), (z, _, local) =>
            {
                var (scratch, best) = local;
                var values = scratch.Output.AsSpan();
                var outSlice = dst.AsSpan(z * slice, slice);
                best.AsSpan().Fill(float.NegativeInfinity);
                for (int l = 0; l < labels.Length; l++)
                {
                    // A label absent from every input slice this output slice reads resamples to exactly 0 here:
                    // it can neither win an argmax (the present labels sum to 1 > 0) nor reach 0.5.
                    bool present = false;
                    int rowMin = int.MaxValue, rowMax = -1;
                    for (int k = 0; k < kz.Length[z]; k++)
                    {
                        int iz = kz.Start[z] + k;
                        if (inventory.PresentBySlice[iz][l])
                        {
                            present = true;
                            rowMin = Math.Min(rowMin, inventory.RowsBySlice[iz][l].Min);
                            rowMax = Math.Max(rowMax, inventory.RowsBySlice[iz][l].Max);
                        }
                    }

                    if (!present)
                    {
                        continue;
                    }

                    // Input rows outside [rowMin, rowMax] hold no voxel of the label in any slice read here.
                    engine.ResampleSlice(sources[l], z, scratch, values, rowMin, rowMax);
                    T label = labels[l];
                    if (rule == PerLabelRule.Argmax)
                    {
                        for (int i = 0; i < slice; i++)
                        {
                            if (values[i] > best[i])
                            {
                                best[i] = values[i];
                                outSlice[i] = label;
                            }
                        }
                    }
                    else
                    {
                        for (int i = 0; i < slice; i++)
                        {
                            if (values[i] >= 0.5f)
                            {
                                outSlice[i] = label;
                            }
                        }
                    }
                }

                return local;
            }, _ => { });
            var affine = Resampler.ResampledAffine(volume.Affine, input, shape);
            return new Volume<T>(shape, affine, dst, volume.Slope, volume.Intercept);
        }
    }
}
