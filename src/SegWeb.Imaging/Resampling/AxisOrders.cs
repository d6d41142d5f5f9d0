namespace SegWeb.Imaging.Resampling;

/// <summary>
/// Interpolation order per voxel axis: 0 nearest, 1 linear, 3 cubic B-spline (scipy.ndimage's spline orders).
/// Different orders per axis give nnU-Net's anisotropic scheme (e.g. 3 in-plane, 0 along the thick-slice axis).
/// </summary>
public readonly record struct AxisOrders(int X, int Y, int Z)
{
    /// <summary>The same order on all three axes.</summary>
    public static AxisOrders All(int order) => new(order, order, order);

    public int this[int axis] => axis switch
    {
        0 => X,
        1 => Y,
        2 => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "A volume has axes 0, 1 and 2."),
    };

    /// <summary>The orders with <paramref name="axis"/> set to <paramref name="order"/>.</summary>
    public AxisOrders With(int axis, int order) => axis switch
    {
        0 => this with { X = order },
        1 => this with { Y = order },
        2 => this with { Z = order },
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "A volume has axes 0, 1 and 2."),
    };

    internal void Validate()
    {
        for (int i = 0; i < 3; i++)
        {
            if (this[i] is not (0 or 1 or 3))
            {
                throw new ResamplingException($"Interpolation order {this[i]} is not supported: use 0 (nearest), 1 (linear) or 3 (cubic B-spline).");
            }
        }
    }
}
