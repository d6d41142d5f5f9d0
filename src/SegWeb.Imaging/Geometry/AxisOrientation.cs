namespace SegWeb.Imaging.Geometry;

/// <summary>
/// One row of nibabel's "ornt" array: the axis that a voxel axis maps to, and whether it is flipped.
/// </summary>
/// <param name="Axis">The target axis (0, 1 or 2), or -1 when unknown (nibabel's NaN row).</param>
/// <param name="Flip">+1 to keep the direction, -1 to flip it (0 when <paramref name="Axis"/> is unknown).</param>
public readonly record struct AxisMapping(int Axis, int Flip)
{
    /// <summary>The row nibabel writes as [nan, nan]: the voxel axis has no world direction (degenerate affine).</summary>
    public static AxisMapping Unknown { get; } = new(-1, 0);

    public bool IsKnown => Axis >= 0;
}

/// <summary>
/// nibabel's orientation array ("ornt") for a 3D volume: row i says where voxel axis i goes and whether it
/// is flipped. Used both for the orientation of an affine (voxel axis → world axis 0=R, 1=A, 2=S and sign)
/// and for a transform between two orientations (axis i of the input becomes axis <c>Axis</c> of the output).
/// </summary>
public readonly record struct AxisOrientation(AxisMapping X, AxisMapping Y, AxisMapping Z)
{
    /// <summary>No change: every axis stays where it is, unflipped.</summary>
    public static AxisOrientation Identity { get; } = new(new(0, 1), new(1, 1), new(2, 1));

    public AxisMapping this[int axis] => axis switch
    {
        0 => X,
        1 => Y,
        2 => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "An orientation has axes 0, 1 and 2."),
    };

    /// <summary>True when every axis maps somewhere and the targets are a permutation of 0, 1, 2.</summary>
    public bool IsComplete
    {
        get
        {
            if (!X.IsKnown || !Y.IsKnown || !Z.IsKnown)
            {
                return false;
            }

            int mask = (1 << X.Axis) | (1 << Y.Axis) | (1 << Z.Axis);
            return mask == 7 && X.Flip is 1 or -1 && Y.Flip is 1 or -1 && Z.Flip is 1 or -1;
        }
    }

    public bool IsIdentity => this == Identity;

    internal static AxisOrientation FromRows(ReadOnlySpan<AxisMapping> rows) => new(rows[0], rows[1], rows[2]);

    public override string ToString() => $"[[{X.Axis}, {X.Flip}], [{Y.Axis}, {Y.Flip}], [{Z.Axis}, {Z.Flip}]]";
}
