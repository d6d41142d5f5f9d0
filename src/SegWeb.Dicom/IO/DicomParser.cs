using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SegWeb.Dicom;

/// <summary>
/// Reads DICOM Part 10 files and bare datasets from a seekable stream. Every length is checked against the bytes
/// that remain before anything is allocated, nesting is capped at <see cref="MaxDepth"/>, and an item of undefined
/// length that reaches the end of the data is an error, so time and memory stay proportional to the input.
/// </summary>
internal sealed class DicomParser
{
    /// <summary>Deepest sequence nesting accepted (real files use a handful of levels).</summary>
    public const int MaxDepth = 64;

    private const uint UndefinedLength = 0xFFFFFFFF;

    private readonly string _source;
    private readonly DicomReadOptions _options;
    private readonly byte[] _header = new byte[12];
    private Stream _stream;
    private long _length;
    private bool _explicitVR;
    private bool _bigEndian;
    private Encoding _encoding = Encoding.Latin1;
    private bool _stoppedAtPixelData;
    private long _bytesAtPixelData;
    private long _pixelDataOffset = -1;
    private bool _inflated;

    public DicomParser(Stream stream, string source, DicomReadOptions options)
    {
        _stream = stream;
        _source = source;
        _options = options;
        _length = stream.Length;
    }

    private long Position => _stream.Position;

    private long Remaining => _length - _stream.Position;

    public DicomFile ReadFile()
    {
        try
        {
            return ReadFileCore();
        }
        catch (EndOfStreamException e)
        {
            throw Fail("the file is truncated", e);
        }
        catch (InvalidDataException e)
        {
            throw Fail($"the deflated dataset is corrupt: {e.Message}", e);
        }
    }

    private DicomFile ReadFileCore()
    {
        var meta = new DicomDataset(_source);
        Span<byte> start = stackalloc byte[132];
        int got = _stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        start = start[..got];
        _stream.Position = 0;

        DicomTransferSyntax? syntax = null;
        bool hasMeta = false;
        if (got >= 132 && start[128..132].SequenceEqual("DICM"u8))
        {
            _stream.Position = 132;
            hasMeta = true;
        }
        else if (got >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(start) == 0x0002 && DicomVRs.IsKnownCode(start[4], start[5]))
        {
            hasMeta = true; // group 0002 without the 128-byte preamble
        }

        if (hasMeta)
        {
            _explicitVR = true;
            _bigEndian = false;
            ReadDatasetBody(meta, end: -1, depth: 0, metaOnly: true);
            if (meta.GetUid(DicomTags.TransferSyntaxUid) is { } uid)
            {
                syntax = DicomTransferSyntax.FromUid(uid);
            }
        }

        syntax = SniffDataset(syntax, hasMeta);
        _explicitVR = syntax.IsExplicitVR;
        _bigEndian = syntax.IsBigEndian;
        if (syntax.IsDeflated)
        {
            Inflate();
            _inflated = true;
        }

        var dataset = new DicomDataset(_source, _encoding);
        ReadDatasetBody(dataset, end: _length, depth: 0, metaOnly: false);
        return new DicomFile(_source, meta, dataset, syntax, _stoppedAtPixelData) { PixelDataBytesInFile = _bytesAtPixelData, PixelDataOffset = _pixelDataOffset };
    }

    /// <summary>
    /// Decides the encoding of the dataset from its first bytes when there is no meta header, and checks the
    /// declared one when there is: explicit VR data spells a VR in bytes 4–5 of its first element.
    /// </summary>
    private DicomTransferSyntax SniffDataset(DicomTransferSyntax? declared, bool hasMeta)
    {
        Span<byte> b = stackalloc byte[8];
        long at = Position;
        int got = _stream.ReadAtLeast(b, 8, throwOnEndOfStream: false);
        _stream.Position = at;
        if (got < 8)
        {
            if (hasMeta && got == 0)
            {
                return declared ?? DicomTransferSyntax.ExplicitVRLittleEndian; // a meta header and an empty dataset
            }

            throw Fail(hasMeta ? "the file is truncated after its meta header" : "not a DICOM file (too short)");
        }

        if (declared is { IsDeflated: true })
        {
            return declared;
        }

        bool explicitCode = DicomVRs.IsKnownCode(b[4], b[5]);
        if (declared is not null)
        {
            // Files that declare explicit VR but are implicit (and the reverse) exist; trust the bytes.
            if (declared.IsExplicitVR && !explicitCode && !declared.IsBigEndian)
            {
                return declared.IsEncapsulated ? declared with { IsExplicitVR = false } : DicomTransferSyntax.ImplicitVRLittleEndian;
            }

            if (!declared.IsExplicitVR && explicitCode)
            {
                return DicomTransferSyntax.ExplicitVRLittleEndian;
            }

            return declared;
        }

        ushort groupLE = BinaryPrimitives.ReadUInt16LittleEndian(b);
        ushort groupBE = BinaryPrimitives.ReadUInt16BigEndian(b);
        if (explicitCode)
        {
            if (groupLE is >= 0x0002 and <= 0x0028 && groupLE % 2 == 0)
            {
                return DicomTransferSyntax.ExplicitVRLittleEndian;
            }

            if (groupBE is >= 0x0002 and <= 0x0028 && groupBE % 2 == 0)
            {
                return DicomTransferSyntax.ExplicitVRBigEndian;
            }
        }

        uint implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
        if (groupLE is >= 0x0002 and <= 0x0028 && groupLE % 2 == 0 && (implicitLength == UndefinedLength || implicitLength <= Remaining - 8))
        {
            return DicomTransferSyntax.ImplicitVRLittleEndian;
        }

        throw Fail("not a DICOM file (no 'DICM' prefix and no recognisable dataset at the start)");
    }

    /// <summary>Replaces the stream by the inflated rest of the file, capped so a deflate bomb cannot exhaust memory.</summary>
    private void Inflate()
    {
        long compressed = Remaining;
        long cap = Math.Min(_options.MaxInflatedBytes, Math.Max(1L << 20, compressed * _options.MaxInflateRatio));
        var output = new MemoryStream();
        using (var inflater = new DeflateStream(_stream, CompressionMode.Decompress, leaveOpen: true))
        {
            var buffer = new byte[81920];
            int n;
            while ((n = inflater.Read(buffer)) > 0)
            {
                if (output.Length + n > cap)
                {
                    throw Fail($"the deflated dataset inflates past {cap} bytes (limit for {compressed} compressed bytes)");
                }

                output.Write(buffer, 0, n);
            }
        }

        output.Position = 0;
        _stream = output;
        _length = output.Length;
    }

    /// <summary>
    /// Reads elements into <paramref name="dataset"/> until <paramref name="end"/> (a defined-length item or the
    /// end of the data) or, when <paramref name="end"/> is -1, until an item delimiter (or, for the meta header,
    /// the first element outside group 0002).
    /// </summary>
    private void ReadDatasetBody(DicomDataset dataset, long end, int depth, bool metaOnly)
    {
        bool topLevel = depth == 0 && !metaOnly;
        while (true)
        {
            if (end >= 0)
            {
                long left = end - Position;
                if (left == 0)
                {
                    return;
                }

                if (topLevel && left < 8 && TrailingZeros(left))
                {
                    return; // some writers pad the file with a few zero bytes
                }

                if (left < 8)
                {
                    throw Fail(depth == 0 ? "the file is truncated (a partial element header at the end)" : "an element runs past the end of its item");
                }
            }
            else if (Remaining < (metaOnly ? 1 : 8))
            {
                if (metaOnly)
                {
                    return;
                }

                throw Fail("an item of undefined length never closes (the data ends first)");
            }

            long elementStart = Position;
            var tag = ReadTag();
            if (metaOnly && tag.Group != 0x0002)
            {
                _stream.Position = elementStart;
                return;
            }

            if (tag == DicomTags.ItemDelimitationItem)
            {
                ReadUInt32();
                if (end < 0)
                {
                    return;
                }

                throw Fail($"an item delimiter at byte {elementStart} inside an item of defined length");
            }

            if (tag.Group == 0xFFFE)
            {
                throw Fail($"unexpected item tag {tag} at byte {elementStart} inside a dataset");
            }

            if (topLevel && tag == DicomTags.PixelData && _options.StopAtPixelData)
            {
                _stoppedAtPixelData = true;
                _bytesAtPixelData = _length - elementStart;
                _pixelDataOffset = _inflated ? -1 : elementStart;
                return;
            }

            var (vr, length) = ReadVRAndLength(tag);
            dataset.Set(ReadValue(dataset, tag, vr, length, depth, end >= 0 ? end : _length, elementStart));
            if (tag == DicomTags.SpecificCharacterSet)
            {
                var charset = dataset.GetString(tag) ?? string.Empty;
                _encoding = charset.Contains("ISO_IR 192", StringComparison.Ordinal) ? Encoding.UTF8 : Encoding.Latin1;
                dataset.TextEncoding = _encoding;
            }
        }
    }

    private bool TrailingZeros(long count)
    {
        Span<byte> b = stackalloc byte[8];
        _stream.ReadExactly(b[..(int)count]);
        return !b[..(int)count].ContainsAnyExcept((byte)0);
    }

    private DicomElement ReadValue(DicomDataset dataset, DicomTag tag, DicomVR vr, uint length, int depth, long limit, long elementStart)
    {
        if (length == UndefinedLength)
        {
            if (tag == DicomTags.PixelData)
            {
                return ReadFragments(tag, vr, depth);
            }

            if (vr is DicomVR.SQ or DicomVR.UN)
            {
                // PS3.5 §6.2.2: a UN of undefined length holds a sequence in implicit VR little endian.
                return ReadSequence(tag, length, depth, implicitContent: vr == DicomVR.UN && _explicitVR);
            }

            throw Fail($"element {tag} ({vr}) at byte {elementStart} has undefined length, which only sequences and pixel data may have");
        }

        if (length > limit - Position)
        {
            throw Fail($"element {tag} at byte {elementStart} claims {length} bytes but only {Math.Max(0, limit - Position)} remain");
        }

        if (vr == DicomVR.SQ)
        {
            return ReadSequence(tag, length, depth, implicitContent: false);
        }

        var value = new byte[length];
        _stream.ReadExactly(value);
        int swapUnit = vr.SwapUnit();
        if (tag == DicomTags.PixelData && vr is DicomVR.OW or DicomVR.UN)
        {
            // Big-endian OW pixel data swaps per pixel sample, which is 4 bytes when BitsAllocated is 32.
            swapUnit = dataset.GetInt(DicomTags.BitsAllocated) is 32 ? 4 : 2;
        }

        if (_bigEndian && swapUnit > 1)
        {
            SwapInPlace(value, swapUnit);
        }

        return new DicomElement(tag, vr, value);
    }

    private DicomSequence ReadSequence(DicomTag tag, uint length, int depth, bool implicitContent)
    {
        if (depth >= MaxDepth)
        {
            throw Fail($"sequences are nested deeper than {MaxDepth} levels (at {tag})");
        }

        bool savedExplicit = _explicitVR, savedBig = _bigEndian;
        if (implicitContent)
        {
            _explicitVR = false;
            _bigEndian = false;
        }

        long end = length == UndefinedLength ? -1 : Position + length;
        var items = new List<DicomDataset>();
        while (true)
        {
            if (end >= 0)
            {
                if (Position == end)
                {
                    break;
                }

                if (end - Position < 8)
                {
                    throw Fail($"sequence {tag} ends inside an item header");
                }
            }
            else if (Remaining < 8)
            {
                throw Fail($"sequence {tag} of undefined length never closes (the data ends first)");
            }

            long itemStart = Position;
            var itemTag = ReadTag();
            uint itemLength = ReadUInt32();
            if (itemTag == DicomTags.SequenceDelimitationItem)
            {
                if (end < 0)
                {
                    break;
                }

                throw Fail($"a sequence delimiter at byte {itemStart} inside sequence {tag} of defined length");
            }

            if (itemTag != DicomTags.Item)
            {
                throw Fail($"sequence {tag} holds {itemTag} at byte {itemStart} where an item was expected");
            }

            var item = new DicomDataset(_source, _encoding);
            if (itemLength == UndefinedLength)
            {
                ReadDatasetBody(item, -1, depth + 1, metaOnly: false);
            }
            else
            {
                long itemEnd = Position + itemLength;
                if (itemEnd > (end >= 0 ? end : _length))
                {
                    throw Fail($"an item of sequence {tag} at byte {itemStart} claims {itemLength} bytes, past the end of its container");
                }

                ReadDatasetBody(item, itemEnd, depth + 1, metaOnly: false);
            }

            items.Add(item);
        }

        _explicitVR = savedExplicit;
        _bigEndian = savedBig;
        return new DicomSequence(tag, items);
    }

    private DicomFragments ReadFragments(DicomTag tag, DicomVR vr, int depth)
    {
        byte[]? offsetTable = null;
        var fragments = new List<byte[]>();
        while (true)
        {
            if (Remaining < 8)
            {
                throw Fail($"encapsulated pixel data {tag} never closes (no sequence delimiter before the end)");
            }

            long itemStart = Position;
            var itemTag = ReadTag();
            uint length = ReadUInt32();
            if (itemTag == DicomTags.SequenceDelimitationItem)
            {
                break;
            }

            if (itemTag != DicomTags.Item)
            {
                throw Fail($"encapsulated pixel data holds {itemTag} at byte {itemStart} where a fragment was expected");
            }

            if (length > Remaining)
            {
                throw Fail($"a pixel data fragment at byte {itemStart} claims {length} bytes but only {Remaining} remain");
            }

            var bytes = new byte[length];
            _stream.ReadExactly(bytes);
            if (offsetTable is null)
            {
                offsetTable = bytes;
            }
            else
            {
                fragments.Add(bytes);
            }
        }

        _ = depth;
        return new DicomFragments(tag, vr == DicomVR.UN ? DicomVR.OB : vr, offsetTable ?? [], fragments);
    }

    private DicomTag ReadTag()
    {
        var b = _header.AsSpan(0, 4);
        _stream.ReadExactly(b);
        return _bigEndian
            ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(b), BinaryPrimitives.ReadUInt16BigEndian(b[2..]))
            : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(b), BinaryPrimitives.ReadUInt16LittleEndian(b[2..]));
    }

    private uint ReadUInt32()
    {
        var b = _header.AsSpan(4, 4);
        _stream.ReadExactly(b);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    private ushort ReadUInt16()
    {
        var b = _header.AsSpan(8, 2);
        _stream.ReadExactly(b);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    private (DicomVR Vr, uint Length) ReadVRAndLength(DicomTag tag)
    {
        if (!_explicitVR)
        {
            return (DicomDictionary.VROf(tag), ReadUInt32());
        }

        var code = _header.AsSpan(10, 2);
        _stream.ReadExactly(code);
        var vr = DicomVRs.Parse(code[0], code[1])
            ?? throw Fail($"element {tag} at byte {Position - 6} has no valid VR (bytes 0x{code[0]:X2} 0x{code[1]:X2})");
        if (vr.HasLongLength())
        {
            ReadUInt16(); // reserved
            return (vr, ReadUInt32());
        }

        return (vr, ReadUInt16());
    }

    private static void SwapInPlace(byte[] value, int unit)
    {
        for (int i = 0; i + unit <= value.Length; i += unit)
        {
            value.AsSpan(i, unit).Reverse();
        }
    }

    private DicomFormatException Fail(string problem, Exception? inner = null) => new(_source, problem, inner);
}
