namespace SegWeb.Imaging.Volumes;

/// <summary>
/// The size of a 3D volume in voxels. Voxels are stored with X fastest, then Y, then Z (NIfTI's and
/// nibabel's Fortran order), so the linear index of (x, y, z) is x + X·(y + Y·z).
/// </summary>
public readonly record struct VolumeShape(int X, int Y, int Z)
{
    public long VoxelCount => (long)X * Y * Z;

    /// <summary>Voxels in one Z slice.</summary>
    public int SliceSize => X * Y;

    public int this[int axis] => axis switch
    {
        0 => X,
        1 => Y,
        2 => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "A volume has axes 0, 1 and 2."),
    };

    public long IndexOf(int x, int y, int z) => x + ((long)X * (y + ((long)Y * z)));

    public bool Contains(int x, int y, int z) =>
        (uint)x < (uint)X && (uint)y < (uint)Y && (uint)z < (uint)Z;

    public override string ToString() => $"{X}×{Y}×{Z}";
}
