using SegWeb.Imaging.IO;
using System.Buffers.Binary;
using System.IO.Compression;

namespace SegWeb.Dicom;

/// <summary>How <see cref="DicomWriter"/> encodes a file.</summary>
public sealed record DicomWriteOptions
{
    public static DicomWriteOptions Default { get; } = new();

    /// <summary>The dataset's encoding (default explicit VR little endian). Encapsulated syntaxes need <see cref="DicomFragments"/> pixel data.</summary>
    public DicomTransferSyntax TransferSyntax { get; init; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>Write sequences and items with undefined length (delimiters) instead of computed lengths.</summary>
    public bool UndefinedLengthSequences { get; init; }

    /// <summary>Write the 128-byte preamble, "DICM" and the file meta group (a Part 10 file). False writes the bare dataset.</summary>
    public bool Part10 { get; init; } = true;
}

/// <summary>
/// Writes datasets as DICOM Part 10 files (or bare datasets) in the uncompressed transfer syntaxes, deflate, and
/// encapsulated pixel data as given. File meta information is generated from the dataset's SOP class and
/// instance UIDs. Files are written to a temporary name and moved into place, so a failure leaves nothing behind.
/// </summary>
public static class DicomWriter
{
    /// <summary>SegWeb's implementation class UID (a UUID-derived 2.25 UID) written in the file meta.</summary>
    public const string ImplementationClassUid = "2.25.125503253177732287361537454222072506947";

    /// <summary>SegWeb's implementation version name written in the file meta.</summary>
    public const string ImplementationVersionName = "SEGWEB_0_1";

    /// <summary>Writes <paramref name="dataset"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, DicomDataset dataset, DicomWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, stream => Write(stream, dataset, options));
    }

    /// <summary>Writes <paramref name="dataset"/> to a stream.</summary>
    public static void Write(Stream stream, DicomDataset dataset, DicomWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= DicomWriteOptions.Default;
        var syntax = options.TransferSyntax;
        if (options.Part10)
        {
            stream.Write(new byte[128]);
            stream.Write("DICM"u8);
            var meta = new Encoder(explicitVR: true, bigEndian: false, undefinedLengths: false);
            meta.WriteDataset(BuildMeta(dataset, syntax));
            var metaBytes = meta.ToArray();
            var groupLength = new Encoder(true, false, false);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)metaBytes.Length);
            groupLength.WriteElement(new DicomElement(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, length));
            stream.Write(groupLength.ToArray());
            stream.Write(metaBytes);
        }

        var body = new Encoder(syntax.IsExplicitVR, syntax.IsBigEndian, options.UndefinedLengthSequences);
        body.WriteDataset(dataset, skipGroup2: true);
        if (syntax.IsDeflated)
        {
            using var deflate = new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            deflate.Write(body.ToArray());
        }
        else
        {
            stream.Write(body.ToArray());
        }
    }

    private static DicomDataset BuildMeta(DicomDataset dataset, DicomTransferSyntax syntax)
    {
        var meta = new DicomDataset(dataset.SourceName);
        meta.Set(new DicomElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, [0, 1]));
        meta.SetString(DicomTags.MediaStorageSopClassUid, DicomVR.UI, dataset.GetUid(DicomTags.SopClassUid) ?? string.Empty);
        meta.SetString(DicomTags.MediaStorageSopInstanceUid, DicomVR.UI, dataset.GetUid(DicomTags.SopInstanceUid) ?? string.Empty);
        meta.SetString(DicomTags.TransferSyntaxUid, DicomVR.UI, syntax.Uid);
        meta.SetString(DicomTags.ImplementationClassUid, DicomVR.UI, ImplementationClassUid);
        meta.SetString(DicomTags.ImplementationVersionName, DicomVR.SH, ImplementationVersionName);
        return meta;
    }

    /// <summary>Encodes elements into memory (sequences of defined length need their items' sizes first).</summary>
    private sealed class Encoder(bool explicitVR, bool bigEndian, bool undefinedLengths)
    {
        private readonly MemoryStream _out = new();
        private readonly byte[] _scratch = new byte[8];

        public byte[] ToArray() => _out.ToArray();

        public void WriteDataset(DicomDataset dataset, bool skipGroup2 = false)
        {
            foreach (var element in dataset.Elements)
            {
                if (skipGroup2 && element.Tag.Group == 0x0002)
                {
                    continue;
                }

                WriteElement(element, dataset);
            }
        }

        public void WriteElement(DicomElement element, DicomDataset? owner = null)
        {
            switch (element)
            {
                case DicomSequence sequence:
                    WriteSequence(sequence);
                    return;
                case DicomFragments fragments:
                    WriteHeader(element.Tag, element.VR, uint.MaxValue);
                    WriteItem(DicomTags.Item, fragments.BasicOffsetTable);
                    foreach (var fragment in fragments.Fragments)
                    {
                        WriteItem(DicomTags.Item, fragment);
                    }

                    WriteTagAndLength(DicomTags.SequenceDelimitationItem, 0);
                    return;
            }

            var value = element.Value;
            if (value.Length % 2 == 1)
            {
                value = [.. value, element.VR == DicomVR.UI || !element.VR.IsText() ? (byte)0 : (byte)' '];
            }

            int unit = element.VR.SwapUnit();
            if (element.Tag == DicomTags.PixelData && element.VR == DicomVR.OW && owner?.GetInt(DicomTags.BitsAllocated) is 32)
            {
                unit = 4;
            }

            if (bigEndian && unit > 1)
            {
                value = (byte[])value.Clone();
                for (int i = 0; i + unit <= value.Length; i += unit)
                {
                    value.AsSpan(i, unit).Reverse();
                }
            }

            WriteHeader(element.Tag, element.VR, (uint)value.Length);
            _out.Write(value);
        }

        private void WriteSequence(DicomSequence sequence)
        {
            if (undefinedLengths)
            {
                WriteHeader(sequence.Tag, DicomVR.SQ, uint.MaxValue);
                foreach (var item in sequence.Items)
                {
                    WriteTagAndLength(DicomTags.Item, uint.MaxValue);
                    WriteDataset(item);
                    WriteTagAndLength(DicomTags.ItemDelimitationItem, 0);
                }

                WriteTagAndLength(DicomTags.SequenceDelimitationItem, 0);
                return;
            }

            var items = new Encoder(explicitVR, bigEndian, undefinedLengths);
            foreach (var item in sequence.Items)
            {
                var encoded = new Encoder(explicitVR, bigEndian, undefinedLengths);
                encoded.WriteDataset(item);
                items.WriteItem(DicomTags.Item, encoded.ToArray());
            }

            var bytes = items.ToArray();
            WriteHeader(sequence.Tag, DicomVR.SQ, (uint)bytes.Length);
            _out.Write(bytes);
        }

        private void WriteItem(DicomTag tag, byte[] content)
        {
            WriteTagAndLength(tag, (uint)content.Length);
            _out.Write(content);
        }

        private void WriteHeader(DicomTag tag, DicomVR vr, uint length)
        {
            WriteTag(tag);
            if (!explicitVR)
            {
                WriteUInt32(length);
                return;
            }

            var code = vr.ToString();
            _out.WriteByte((byte)code[0]);
            _out.WriteByte((byte)code[1]);
            if (vr.HasLongLength())
            {
                _out.WriteByte(0);
                _out.WriteByte(0);
                WriteUInt32(length);
            }
            else
            {
                if (length > ushort.MaxValue)
                {
                    throw new InvalidOperationException($"{tag} ({vr}) holds {length} bytes, more than its 16-bit length field allows.");
                }

                WriteUInt16((ushort)length);
            }
        }

        private void WriteTagAndLength(DicomTag tag, uint length)
        {
            WriteTag(tag);
            WriteUInt32(length);
        }

        private void WriteTag(DicomTag tag)
        {
            WriteUInt16(tag.Group);
            WriteUInt16(tag.Element);
        }

        private void WriteUInt16(ushort v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(_scratch, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(_scratch, v);
            }

            _out.Write(_scratch, 0, 2);
        }

        private void WriteUInt32(uint v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(_scratch, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(_scratch, v);
            }

            _out.Write(_scratch, 0, 4);
        }
    }
}
