using System.Buffers.Binary;

namespace SegWeb.Dicom.Pixels;

/// <summary>
/// The frames of one object's pixel data, decoded to stored values: native data (masked to BitsStored and
/// sign-extended per PixelRepresentation), RLE Lossless with SegWeb's own decoder, and JPEG / JPEG-LS /
/// JPEG 2000 through GDCM. Monochrome (SamplesPerPixel 1) only: colour is no CT/MR volume. Values are returned as
/// doubles, which hold every 8-, 16- and 32-bit stored value exactly; rescaling is the caller's business.
/// </summary>
public sealed class DicomPixelData
{
    private readonly DicomFile _file;
    private readonly DicomElement _element;
    private byte[]? _decodedAll; // GDCM output, all frames

    private DicomPixelData(DicomFile file, DicomElement element, DicomPixelDescription description)
    {
        _file = file;
        _element = element;
        Description = description;
    }

    public DicomPixelDescription Description { get; }

    public int FrameCount => Description.NumberOfFrames;

    /// <summary>Checks the file's pixel description and transfer syntax; decoding happens per frame.</summary>
    /// <exception cref="DicomFormatException">No pixel data, colour, an unsupported syntax, or inconsistent attributes.</exception>
    public static DicomPixelData Open(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.PixelDataSkipped)
        {
            throw new DicomFormatException(file.SourceName, "the file was read header-only; read it with pixel data to decode it");
        }

        var element = file.Dataset[DicomTags.PixelData] ?? throw new DicomFormatException(file.SourceName, "the object has no pixel data");
        var description = DicomPixelDescription.FromDataset(file.Dataset);
        if (description.SamplesPerPixel != 1)
        {
            throw new DicomFormatException(file.SourceName,
                $"the image is colour ({description.PhotometricInterpretation}, {description.SamplesPerPixel} samples per pixel); SegWeb reads monochrome CT/MR images only");
        }

        var syntax = file.TransferSyntax;
        if (element is DicomFragments)
        {
            if (!syntax.IsEncapsulated)
            {
                throw new DicomFormatException(file.SourceName, $"the pixel data is encapsulated but the transfer syntax is {syntax}");
            }

            if (syntax.Uid != DicomTransferSyntax.RleLossless.Uid && syntax.Uid != DicomTransferSyntax.DeflatedImageFrameCompression.Uid && !syntax.NeedsGdcm)
            {
                throw new DicomFormatException(file.SourceName, $"SegWeb cannot decode pixel data in {syntax}");
            }

            // Refuse a header that promises far more pixels than the fragments can carry before any buffer is sized from it.
            long compressed = ((DicomFragments)element).Fragments.Sum(f => (long)f.Length);
            long decoded = ((description.BitsPerFrame * description.NumberOfFrames) + 7) / 8;
            if (decoded > MaxDecodedBytes(syntax, compressed))
            {
                throw new DicomFormatException(file.SourceName,
                    $"{compressed} bytes of {syntax.Name} data cannot hold {description.NumberOfFrames} frame(s) of {description.Rows} × {description.Columns}");
            }
        }
        else
        {
            if (syntax.IsEncapsulated)
            {
                throw new DicomFormatException(file.SourceName, $"the transfer syntax {syntax} needs encapsulated pixel data, but it is native");
            }

            long needed = ((description.BitsPerFrame * description.NumberOfFrames) + 7) / 8;
            if (element.Value.LongLength < needed)
            {
                throw new DicomFormatException(file.SourceName,
                    $"the pixel data has {element.Value.LongLength} bytes but {description.NumberOfFrames} frame(s) of {description.Rows} × {description.Columns} at {description.BitsAllocated} bits need {needed}");
            }
        }

        return new DicomPixelData(file, element, description);
    }

    /// <summary>Decodes frame <paramref name="frame"/> (0-based) into a new array of Rows × Columns stored values, row by row.</summary>
    public double[] DecodeFrame(int frame)
    {
        var values = new double[Description.ValuesPerFrame];
        DecodeFrame(frame, values);
        return values;
    }

    /// <summary>Decodes frame <paramref name="frame"/> (0-based) into <paramref name="destination"/> (Rows × Columns values, row by row).</summary>
    public void DecodeFrame(int frame, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frame, FrameCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Description.ValuesPerFrame, nameof(destination));
        var d = Description;
        if (d.BitsAllocated == 1)
        {
            DecodeBitFrame(frame, destination[..d.ValuesPerFrame]);
            return;
        }

        int frameBytes = d.ValuesPerFrame * (d.BitsAllocated / 8);
        ReadOnlySpan<byte> bytes = _element switch
        {
            DicomFragments f when _file.TransferSyntax.Uid == DicomTransferSyntax.RleLossless.Uid =>
                RleDecoder.DecodeFrame(FrameFragments(f, frame), d, _file.SourceName),
            DicomFragments f when _file.TransferSyntax.Uid == DicomTransferSyntax.DeflatedImageFrameCompression.Uid =>
                InflateFrame(FrameFragments(f, frame), frameBytes),
            DicomFragments => DecodedByGdcm().AsSpan((int)((long)frame * frameBytes), frameBytes),
            _ => NativeBytes().AsSpan((int)((long)frame * frameBytes), frameBytes),
        };
        if (bytes.Length < frameBytes)
        {
            throw new DicomFormatException(_file.SourceName, $"frame {frame} decodes to {bytes.Length} bytes, expected {frameBytes}");
        }

        ToStoredValues(bytes, d, destination[..d.ValuesPerFrame]);
    }

    /// <summary>Little-endian native samples → stored values: shift to HighBit, mask to BitsStored, sign-extend.</summary>
    internal static void ToStoredValues(ReadOnlySpan<byte> bytes, DicomPixelDescription d, Span<double> destination)
    {
        int shift = d.HighBit + 1 - d.BitsStored;
        uint mask = d.BitsStored == 32 ? uint.MaxValue : (1u << d.BitsStored) - 1;
        uint signBit = 1u << (d.BitsStored - 1);
        long wrap = 1L << d.BitsStored;
        bool signed = d.IsSigned;
        int step = d.BitsAllocated / 8;
        for (int i = 0; i < destination.Length; i++)
        {
            uint raw = step switch
            {
                1 => bytes[i],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]),
                _ => BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]),
            };
            uint v = (raw >> shift) & mask;
            destination[i] = signed && (v & signBit) != 0 ? v - wrap : v;
        }
    }

    private byte[] NativeBytes() => _element.Value;

    /// <summary>Inflates one raw-deflate frame into exactly <paramref name="frameBytes"/> bytes (never more: bounded).</summary>
    private byte[] InflateFrame(ReadOnlySpan<byte> compressed, int frameBytes)
    {
        var output = new byte[frameBytes];
        try
        {
            using var source = new MemoryStream(compressed.ToArray(), writable: false);
            using var inflater = new System.IO.Compression.DeflateStream(source, System.IO.Compression.CompressionMode.Decompress);
            int read = inflater.ReadAtLeast(output, frameBytes, throwOnEndOfStream: false);
            if (read < frameBytes)
            {
                throw new DicomFormatException(_file.SourceName, $"a deflated frame inflates to {read} bytes, the image needs {frameBytes}");
            }
        }
        catch (InvalidDataException e)
        {
            throw new DicomFormatException(_file.SourceName, $"a deflated frame is corrupt: {e.Message}", e);
        }

        return output;
    }

    /// <summary>
    /// A BitsAllocated 1 frame. Native frames run on from one another without byte alignment, so they are unpacked
    /// by bit offset; an RLE frame is its own packed segment; GDCM hands back either the packed bits of all frames
    /// or (as GDCM 3.0 does for JPEG 2000) one byte per pixel.
    /// </summary>
    private void DecodeBitFrame(int frame, Span<double> destination)
    {
        int n = destination.Length;
        switch (_element)
        {
            case DicomFragments f when _file.TransferSyntax.Uid == DicomTransferSyntax.DeflatedImageFrameCompression.Uid:
                // Each 1-bit frame is deflated on its own, starting on a byte boundary.
                UnpackBits(InflateFrame(FrameFragments(f, frame), (n + 7) / 8), 0, destination, _file.SourceName);
                break;
            case DicomFragments f when _file.TransferSyntax.Uid == DicomTransferSyntax.RleLossless.Uid:
                UnpackBits(RleDecoder.DecodeFrame(FrameFragments(f, frame), Description, _file.SourceName), 0, destination, _file.SourceName);
                break;
            case DicomFragments:
                var decoded = DecodedByGdcm();
                if (decoded.LongLength == (long)n * FrameCount && n * (long)FrameCount != PackedLength)
                {
                    var bytes = decoded.AsSpan((int)((long)frame * n), n);
                    for (int i = 0; i < n; i++)
                    {
                        destination[i] = bytes[i] != 0 ? 1 : 0;
                    }
                }
                else
                {
                    UnpackBits(decoded, (long)frame * n, destination, _file.SourceName);
                }

                break;
            default:
                UnpackBits(NativeBytes(), (long)frame * n, destination, _file.SourceName);
                break;
        }
    }

    /// <summary>
    /// The most decoded bytes that <paramref name="encodedBytes"/> of pixel data in <paramref name="syntax"/> can
    /// plausibly hold: native data holds itself; PackBits expands at most 64-fold, deflate about 1032-fold, and no
    /// JPEG-family codestream of a real image beyond a few thousand to one (plus 1 MiB for tiny blank images).
    /// </summary>
    internal static long MaxDecodedBytes(DicomTransferSyntax syntax, long encodedBytes)
    {
        if (!syntax.IsEncapsulated)
        {
            return encodedBytes;
        }

        long ratio = syntax.Uid == DicomTransferSyntax.RleLossless.Uid ? 64
            : syntax.Uid == DicomTransferSyntax.DeflatedImageFrameCompression.Uid ? 1032
            : 4000;
        return (encodedBytes * ratio) + (1L << 20);
    }

    private long PackedLength => (((long)Description.ValuesPerFrame * FrameCount) + 7) / 8;

    private static void UnpackBits(byte[] bytes, long firstBit, Span<double> destination, string source)
    {
        if ((firstBit + destination.Length + 7) / 8 > bytes.LongLength)
        {
            throw new DicomFormatException(source, $"the bit-packed pixel data has {bytes.LongLength} bytes, too few for frame bits {firstBit}..{firstBit + destination.Length - 1}");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            long bit = firstBit + i;
            destination[i] = (bytes[bit >> 3] >> (int)(bit & 7)) & 1;
        }
    }

    private byte[] DecodedByGdcm()
    {
        long expected = Description.BitsAllocated == 1 ? PackedLength : (long)Description.ValuesPerFrame * (Description.BitsAllocated / 8) * FrameCount;
        if (expected > Array.MaxLength)
        {
            throw new DicomFormatException(_file.SourceName, $"the decoded image would need {expected} bytes, more than one buffer holds");
        }


        return _decodedAll ??= Description.BitsAllocated == 1
            ? GdcmDecoder.DecodeAll(_file, expected, (long)Description.ValuesPerFrame * FrameCount)
            : GdcmDecoder.DecodeAll(_file, expected);
    }

    /// <summary>The bytes of one frame's fragments: by the basic offset table, else one fragment per frame, else all for one frame.</summary>
    private ReadOnlySpan<byte> FrameFragments(DicomFragments f, int frame)
    {
        var fragments = f.Fragments;
        if (f.BasicOffsetTable.Length >= 4 * FrameCount && FrameCount > 1)
        {
            long start = BinaryPrimitives.ReadUInt32LittleEndian(f.BasicOffsetTable.AsSpan(4 * frame));
            long end = frame + 1 < FrameCount ? BinaryPrimitives.ReadUInt32LittleEndian(f.BasicOffsetTable.AsSpan(4 * (frame + 1))) : long.MaxValue;
            var parts = new List<byte[]>();
            long position = 0;
            foreach (var fragment in fragments)
            {
                if (position >= start && position < end)
                {
                    parts.Add(fragment);
                }

                position += 8 + fragment.Length;
            }

            if (parts.Count == 0)
            {
                throw new DicomFormatException(_file.SourceName, $"the basic offset table points frame {frame} at byte {start}, where no fragment starts");
            }

            return Concat(parts);
        }

        if (FrameCount == 1)
        {
            return fragments.Count == 1 ? fragments[0] : Concat(fragments);
        }

        if (fragments.Count == FrameCount)
        {
            return fragments[frame];
        }

        throw new DicomFormatException(_file.SourceName,
            $"{FrameCount} frames in {fragments.Count} fragments without a basic offset table: the frame boundaries are unknown");
    }

    private static byte[] Concat(IReadOnlyList<byte[]> parts)
    {
        var result = new byte[parts.Sum(p => (long)p.Length)];
        int at = 0;
        foreach (var p in parts)
        {
            p.CopyTo(result, at);
            at += p.Length;
        }

        return result;
    }
}
