namespace SegWeb.Imaging.Nifti;

/// <summary>Which NIfTI header layout a file uses: NIfTI-1 (348 bytes, 16/32-bit fields) or NIfTI-2 (540 bytes, 64-bit fields).</summary>
public enum NiftiVersion
{
    Nifti1 = 1,
    Nifti2 = 2,
}

/// <summary>One header extension: its code (e.g. 0 = unknown, which TotalSegmentator uses for its label XML) and raw content.</summary>
/// <param name="Code">The extension code (ecode).</param>
/// <param name="Content">The content bytes, without the 8-byte esize/ecode prefix and without trailing NUL padding (as nibabel returns it).</param>
public sealed record NiftiExtension(int Code, byte[] Content);

/// <summary>
/// Every field of a NIfTI-1 or NIfTI-2 header, as stored (NIfTI-2 field widths, so both versions fit). Reading
/// fills it from the file; writing takes it as a template. Geometry fields are the raw stored values: the
/// effective affine is <see cref="NiftiAffine.BestAffine(NiftiHeader)"/>, which applies nibabel's rules.
/// </summary>
public sealed class NiftiHeader
{
    private long[] _dim = [3, 1, 1, 1, 1, 1, 1, 1];
    private double[] _pixdim = [1, 1, 1, 1, 1, 1, 1, 1];
    private double[] _srowX = [1, 0, 0, 0];
    private double[] _srowY = [0, 1, 0, 0];
    private double[] _srowZ = [0, 0, 1, 0];

    /// <summary>NIfTI-1 or NIfTI-2.</summary>
    public NiftiVersion Version { get; set; } = NiftiVersion.Nifti1;

    /// <summary>Whether the file stored multi-byte values big-endian (reading only; SegWeb writes little-endian).</summary>
    public bool IsBigEndian { get; set; }

    /// <summary>dim[0..7]: dim[0] is the number of dimensions, dim[1..dim[0]] the sizes.</summary>
    public IReadOnlyList<long> Dim
    {
        get => _dim;
        set => _dim = CopyOf(value, 8, nameof(Dim));
    }

    /// <summary>pixdim[0..7]: pixdim[0] is qfac (±1), pixdim[1..3] voxel sizes, pixdim[4] the time step.</summary>
    public IReadOnlyList<double> Pixdim
    {
        get => _pixdim;
        set => _pixdim = CopyOf(value, 8, nameof(Pixdim));
    }

    /// <summary>The NIfTI datatype code (2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 256 int8, 512 uint16, 768 uint32, 1024 int64, 1280 uint64, ...).</summary>
    public short Datatype { get; set; } = (short)NiftiDataType.UInt8;

    /// <summary>Bits per voxel; must agree with <see cref="Datatype"/>.</summary>
    public short Bitpix { get; set; } = 8;

    /// <summary>Byte offset of the voxel data in the (uncompressed) file.</summary>
    public long VoxOffset { get; set; }

    public double SclSlope { get; set; } = double.NaN;

    public double SclInter { get; set; } = double.NaN;

    public double CalMax { get; set; }

    public double CalMin { get; set; }

    public double SliceDuration { get; set; }

    public double Toffset { get; set; }

    public long SliceStart { get; set; }

    public long SliceEnd { get; set; }

    public int SliceCode { get; set; }

    public int DimInfo { get; set; }

    /// <summary>Spatial units in bits 0–2 (2 = mm), temporal units in bits 3–5.</summary>
    public int XyztUnits { get; set; }

    public int IntentCode { get; set; }

    public double IntentP1 { get; set; }

    public double IntentP2 { get; set; }

    public double IntentP3 { get; set; }

    /// <summary>intent_name (at most 15 ASCII characters are stored).</summary>
    public string IntentName { get; set; } = "";

    /// <summary>descrip (at most 79 ASCII characters are stored).</summary>
    public string Descrip { get; set; } = "";

    /// <summary>aux_file (at most 23 ASCII characters are stored).</summary>
    public string AuxFile { get; set; } = "";

    public int QformCode { get; set; }

    public int SformCode { get; set; }

    public double QuaternB { get; set; }

    public double QuaternC { get; set; }

    public double QuaternD { get; set; }

    public double QoffsetX { get; set; }

    public double QoffsetY { get; set; }

    public double QoffsetZ { get; set; }

    /// <summary>First row of the sform matrix (4 values).</summary>
    public IReadOnlyList<double> SrowX
    {
        get => _srowX;
        set => _srowX = CopyOf(value, 4, nameof(SrowX));
    }

    public IReadOnlyList<double> SrowY
    {
        get => _srowY;
        set => _srowY = CopyOf(value, 4, nameof(SrowY));
    }

    public IReadOnlyList<double> SrowZ
    {
        get => _srowZ;
        set => _srowZ = CopyOf(value, 4, nameof(SrowZ));
    }

    /// <summary>Header extensions in file order; kept on round trip when the header is a writer template.</summary>
    public IReadOnlyList<NiftiExtension> Extensions { get; set; } = [];

    /// <summary>Number of dimensions (dim[0]).</summary>
    public int Rank => (int)_dim[0];

    /// <summary>Size of axis <paramref name="axis"/> (0-based); 1 beyond <see cref="Rank"/>.</summary>
    public long SizeOf(int axis) => axis + 1 <= Rank && axis < 7 ? _dim[axis + 1] : 1;

    /// <summary>The voxel type of <see cref="Datatype"/>, or null for types SegWeb cannot hold (RGB, complex, float128, binary).</summary>
    public Volumes.VoxelType? VoxelType => NiftiDataTypes.ToVoxelType(Datatype);

    /// <summary>A deep copy (arrays and the extension list are copied; extension contents are shared, they are never mutated).</summary>
    public NiftiHeader Clone()
    {
        var copy = (NiftiHeader)MemberwiseClone();
        copy._dim = (long[])_dim.Clone();
        copy._pixdim = (double[])_pixdim.Clone();
        copy._srowX = (double[])_srowX.Clone();
        copy._srowY = (double[])_srowY.Clone();
        copy._srowZ = (double[])_srowZ.Clone();
        copy.Extensions = [.. Extensions];
        return copy;
    }

    internal void SetDim(int index, long value) => _dim[index] = value;

    internal void SetPixdim(int index, double value) => _pixdim[index] = value;

    private static T[] CopyOf<T>(IReadOnlyList<T> value, int length, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Count != length)
        {
            throw new ArgumentException($"{name} needs exactly {length} values, got {value.Count}.", name);
        }

        return [.. value];
    }
}
