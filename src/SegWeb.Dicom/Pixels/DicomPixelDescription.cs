namespace SegWeb.Dicom.Pixels;

/// <summary>The Image Pixel module attributes that say how to interpret pixel data (PS3.3 C.7.6.3), validated.</summary>
public sealed record DicomPixelDescription(
    int Rows,
    int Columns,
    int SamplesPerPixel,
    int BitsAllocated,
    int BitsStored,
    int HighBit,
    bool IsSigned,
    int NumberOfFrames,
    string PhotometricInterpretation,
    int PlanarConfiguration)
{
    /// <summary>More values than this in one object is taken as a hostile or corrupt header, not an image.</summary>
    public const long MaxValues = 1L << 31;

    /// <summary>Values per frame (rows × columns × samples).</summary>
    public int ValuesPerFrame => Rows * Columns * SamplesPerPixel;

    /// <summary>Bytes of one native frame (BitsAllocated 1 packs bits; frames then need not start on a byte).</summary>
    public long BitsPerFrame => (long)ValuesPerFrame * BitsAllocated;

    /// <summary>Reads and checks the attributes; absurd or inconsistent values are a <see cref="DicomFormatException"/>.</summary>
    public static DicomPixelDescription FromDataset(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int rows = Required(dataset, DicomTags.Rows);
        int columns = Required(dataset, DicomTags.Columns);
        int bitsAllocated = Required(dataset, DicomTags.BitsAllocated);
        int bitsStored = dataset.GetInt(DicomTags.BitsStored) ?? bitsAllocated;
        int highBit = dataset.GetInt(DicomTags.HighBit) ?? (bitsStored - 1);
        int samples = dataset.GetInt(DicomTags.SamplesPerPixel) ?? 1;
        int frames = dataset.GetInt(DicomTags.NumberOfFrames) ?? 1;
        int representation = dataset.GetInt(DicomTags.PixelRepresentation) ?? 0;
        string photometric = dataset.GetString(DicomTags.PhotometricInterpretation)?.Trim() ?? "MONOCHROME2";
        int planar = dataset.GetInt(DicomTags.PlanarConfiguration) ?? 0;

        string? problem = null;
        if (rows < 1 || columns < 1 || rows > 65535 || columns > 65535)
        {
            problem = $"Rows × Columns {rows} × {columns} is not an image size";
        }
        else if (bitsAllocated is not (1 or 8 or 16 or 32))
        {
            problem = $"BitsAllocated {bitsAllocated} is not supported (1, 8, 16 or 32)";
        }
        else if (bitsStored < 1 || bitsStored > bitsAllocated)
        {
            problem = $"BitsStored {bitsStored} does not fit BitsAllocated {bitsAllocated}";
        }
        else if (highBit < bitsStored - 1 || highBit >= bitsAllocated)
        {
            problem = $"HighBit {highBit} does not fit BitsStored {bitsStored} and BitsAllocated {bitsAllocated}";
        }
        else if (samples is not (1 or 3 or 4))
        {
            problem = $"SamplesPerPixel {samples} is not an image";
        }
        else if (frames < 1)
        {
            problem = $"NumberOfFrames {frames} is not a frame count";
        }
        else if ((long)rows * columns * samples * frames > MaxValues)
        {
            problem = $"{frames} frames of {rows} × {columns} × {samples} values exceed the limit of {MaxValues} values per object";
        }
        else if (representation is not (0 or 1))
        {
            problem = $"PixelRepresentation {representation} is neither 0 (unsigned) nor 1 (signed)";
        }

        if (problem is not null)
        {
            throw new DicomFormatException(dataset.SourceName, problem);
        }

        return new DicomPixelDescription(rows, columns, samples, bitsAllocated, bitsStored, highBit, representation == 1, frames, photometric, planar);
    }

    private static int Required(DicomDataset dataset, DicomTag tag) =>
        dataset.GetInt(tag) ?? throw new DicomFormatException(dataset.SourceName, $"the image has no {tag} attribute");
}
