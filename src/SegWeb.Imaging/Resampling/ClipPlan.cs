namespace SegWeb.Imaging.Resampling;

/// <summary>
/// Clipping of resampled values to a range (skimage's resize(clip=True), which nnU-Net inherits): one range
/// for the whole volume, or one per output index along an axis (nnU-Net's separate-z path clips each in-plane slice).
/// </summary>
internal sealed class ClipPlan
{
    private ClipPlan(int axis, float[] min, float[] max)
    {
        Axis = axis;
        Min = min;
        Max = max;
    }

    /// <summary>-1 for a single range, else the axis along which ranges vary.</summary>
    public int Axis { get; }

    public float[] Min { get; }

    public float[] Max { get; }

    public static ClipPlan Global(float min, float max) => new(-1, [min], [max]);

    public static ClipPlan PerIndex(int axis, float[] min, float[] max) => new(axis, min, max);

    /// <summary>Clips output slice <paramref name="oz"/> (X fastest) in place.</summary>
    public void Apply(Span<float> slice, int oz, int width)
    {
        switch (Axis)
        {
            case -1:
                Clamp(slice, Min[0], Max[0]);
                break;
            case 2:
                Clamp(slice, Min[oz], Max[oz]);
                break;
            case 1:
                for (int y = 0; y * width < slice.Length; y++)
                {
                    Clamp(slice.Slice(y * width, width), Min[y], Max[y]);
                }

                break;
            default:
                for (int i = 0; i < slice.Length; i++)
                {
                    int x = i % width;
                    slice[i] = Math.Clamp(slice[i], Min[x], Max[x]);
                }

                break;
        }
    }

    private static void Clamp(Span<float> values, float min, float max)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Clamp(values[i], min, max);
        }
    }
}
