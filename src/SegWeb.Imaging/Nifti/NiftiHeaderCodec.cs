using System.Buffers.Binary;
using System.Text;

namespace SegWeb.Imaging.Nifti;

/// <summary>
/// The binary layouts of the NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers. Parsing accepts either byte
/// order (detected from sizeof_hdr, as every NIfTI reader does); serialising always writes little-endian.
/// Parsing checks only the layout (size, magic); semantic validation is <see cref="NiftiHeaderValidator"/>.
/// </summary>
internal static class NiftiHeaderCodec
{
    public const int Nifti1Size = 348;
    public const int Nifti2Size = 540;

    private static ReadOnlySpan<byte> Nifti2Magic => "n+2\0\r\n\u001a\n"u8;

    /// <summary>Identifies the layout from the first 4 bytes (sizeof_hdr); null when it is neither.</summary>
    public static (NiftiVersion Version, bool BigEndian, int Size)? Identify(ReadOnlySpan<byte> first4)
    {
        int le = BinaryPrimitives.ReadInt32LittleEndian(first4);
        int be = BinaryPrimitives.ReadInt32BigEndian(first4);
        return (le, be) switch
        {
            (Nifti1Size, _) => (NiftiVersion.Nifti1, false, Nifti1Size),
            (_, Nifti1Size) => (NiftiVersion.Nifti1, true, Nifti1Size),
            (Nifti2Size, _) => (NiftiVersion.Nifti2, false, Nifti2Size),
            (_, Nifti2Size) => (NiftiVersion.Nifti2, true, Nifti2Size),
            _ => null,
        };
    }

    /// <summary>Parses a whole header block; throws <see cref="FormatException"/> with the problem on a bad magic.</summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> block, NiftiVersion version, bool bigEndian)
    {
        var r = new FieldReader(block, bigEndian);
        return version == NiftiVersion.Nifti1 ? ParseNifti1(r, block) : ParseNifti2(r, block);
    }

    private static NiftiHeader ParseNifti1(FieldReader r, ReadOnlySpan<byte> b)
    {
        var magic = b.Slice(344, 4);
        if (!magic.SequenceEqual("n+1\0"u8))
        {
            if (magic.SequenceEqual("ni1\0"u8))
            {
                throw new FormatException("NIfTI-1 header/image pair (.hdr/.img, magic \"ni1\") is not supported; convert it to a single .nii");
            }

            throw new FormatException($"bad NIfTI-1 magic {DescribeBytes(magic)} (expected \"n+1\")");
        }

        var h = new NiftiHeader { Version = NiftiVersion.Nifti1, IsBigEndian = r.BigEndian };
        for (int i = 0; i < 8; i++)
        {
            h.SetDim(i, r.I16(40 + (2 * i)));
            h.SetPixdim(i, r.F32(76 + (4 * i)));
        }

        h.DimInfo = b[39];
        h.IntentP1 = r.F32(56);
        h.IntentP2 = r.F32(60);
        h.IntentP3 = r.F32(64);
        h.IntentCode = r.I16(68);
        h.Datatype = r.I16(70);
        h.Bitpix = r.I16(72);
        h.SliceStart = r.I16(74);
        double voxOffset = r.F32(108);
        h.VoxOffset = double.IsFinite(voxOffset) && voxOffset >= 0 && voxOffset <= int.MaxValue && voxOffset == Math.Floor(voxOffset)
            ? (long)voxOffset
            : -1; // the validator reports it; -1 is never a valid offset
        h.SclSlope = r.F32(112);
        h.SclInter = r.F32(116);
        h.SliceEnd = r.I16(120);
        h.SliceCode = b[122];
        h.XyztUnits = b[123];
        h.CalMax = r.F32(124);
        h.CalMin = r.F32(128);
        h.SliceDuration = r.F32(132);
        h.Toffset = r.F32(136);
        h.Descrip = ReadString(b.Slice(148, 80));
        h.AuxFile = ReadString(b.Slice(228, 24));
        h.QformCode = r.I16(252);
        h.SformCode = r.I16(254);
        h.QuaternB = r.F32(256);
        h.QuaternC = r.F32(260);
        h.QuaternD = r.F32(264);
        h.QoffsetX = r.F32(268);
        h.QoffsetY = r.F32(272);
        h.QoffsetZ = r.F32(276);
        h.SrowX = [r.F32(280), r.F32(284), r.F32(288), r.F32(292)];
        h.SrowY = [r.F32(296), r.F32(300), r.F32(304), r.F32(308)];
        h.SrowZ = [r.F32(312), r.F32(316), r.F32(320), r.F32(324)];
        h.IntentName = ReadString(b.Slice(328, 16));
        return h;
    }

    private static NiftiHeader ParseNifti2(FieldReader r, ReadOnlySpan<byte> b)
    {
        var magic = b.Slice(4, 8);
        if (!magic.SequenceEqual(Nifti2Magic))
        {
            if (magic[..4].SequenceEqual("ni2\0"u8))
            {
                throw new FormatException("NIfTI-2 header/image pair (magic \"ni2\") is not supported; convert it to a single .nii");
            }

            throw new FormatException($"bad NIfTI-2 magic {DescribeBytes(magic)} (expected \"n+2\")");
        }

        var h = new NiftiHeader { Version = NiftiVersion.Nifti2, IsBigEndian = r.BigEndian };
        h.Datatype = r.I16(12);
        h.Bitpix = r.I16(14);
        for (int i = 0; i < 8; i++)
        {
            h.SetDim(i, r.I64(16 + (8 * i)));
            h.SetPixdim(i, r.F64(104 + (8 * i)));
        }

        h.IntentP1 = r.F64(80);
        h.IntentP2 = r.F64(88);
        h.IntentP3 = r.F64(96);
        h.VoxOffset = r.I64(168);
        h.SclSlope = r.F64(176);
        h.SclInter = r.F64(184);
        h.CalMax = r.F64(192);
        h.CalMin = r.F64(200);
        h.SliceDuration = r.F64(208);
        h.Toffset = r.F64(216);
        h.SliceStart = r.I64(224);
        h.SliceEnd = r.I64(232);
        h.Descrip = ReadString(b.Slice(240, 80));
        h.AuxFile = ReadString(b.Slice(320, 24));
        h.QformCode = r.I32(344);
        h.SformCode = r.I32(348);
        h.QuaternB = r.F64(352);
        h.QuaternC = r.F64(360);
        h.QuaternD = r.F64(368);
        h.QoffsetX = r.F64(376);
        h.QoffsetY = r.F64(384);
        h.QoffsetZ = r.F64(392);
        h.SrowX = [r.F64(400), r.F64(408), r.F64(416), r.F64(424)];
        h.SrowY = [r.F64(432), r.F64(440), r.F64(448), r.F64(456)];
        h.SrowZ = [r.F64(464), r.F64(472), r.F64(480), r.F64(488)];
        h.SliceCode = r.I32(496);
        h.XyztUnits = r.I32(500);
        h.IntentCode = r.I32(504);
        h.IntentName = ReadString(b.Slice(508, 16));
        h.DimInfo = b[524];
        return h;
    }

    /// <summary>Serialises a header (little-endian) of its <see cref="NiftiHeader.Version"/>; extensions are not included.</summary>
    public static byte[] Serialize(NiftiHeader h)
    {
        return h.Version == NiftiVersion.Nifti1 ? SerializeNifti1(h) : SerializeNifti2(h);
    }

    private static byte[] SerializeNifti1(NiftiHeader h)
    {
        var b = new byte[Nifti1Size];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, Nifti1Size);
        s[38] = (byte)'r'; // "regular", as nibabel and FSL write it
        s[39] = (byte)h.DimInfo;
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(s[(40 + (2 * i))..], checked((short)h.Dim[i]));
            BinaryPrimitives.WriteSingleLittleEndian(s[(76 + (4 * i))..], (float)h.Pixdim[i]);
        }

        BinaryPrimitives.WriteSingleLittleEndian(s[56..], (float)h.IntentP1);
        BinaryPrimitives.WriteSingleLittleEndian(s[60..], (float)h.IntentP2);
        BinaryPrimitives.WriteSingleLittleEndian(s[64..], (float)h.IntentP3);
        BinaryPrimitives.WriteInt16LittleEndian(s[68..], (short)h.IntentCode);
        BinaryPrimitives.WriteInt16LittleEndian(s[70..], h.Datatype);
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], h.Bitpix);
        BinaryPrimitives.WriteInt16LittleEndian(s[74..], (short)h.SliceStart);
        BinaryPrimitives.WriteSingleLittleEndian(s[108..], h.VoxOffset);
        BinaryPrimitives.WriteSingleLittleEndian(s[112..], (float)h.SclSlope);
        BinaryPrimitives.WriteSingleLittleEndian(s[116..], (float)h.SclInter);
        BinaryPrimitives.WriteInt16LittleEndian(s[120..], (short)h.SliceEnd);
        s[122] = (byte)h.SliceCode;
        s[123] = (byte)h.XyztUnits;
        BinaryPrimitives.WriteSingleLittleEndian(s[124..], (float)h.CalMax);
        BinaryPrimitives.WriteSingleLittleEndian(s[128..], (float)h.CalMin);
        BinaryPrimitives.WriteSingleLittleEndian(s[132..], (float)h.SliceDuration);
        BinaryPrimitives.WriteSingleLittleEndian(s[136..], (float)h.Toffset);
        WriteString(s.Slice(148, 80), h.Descrip);
        WriteString(s.Slice(228, 24), h.AuxFile);
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], (short)h.QformCode);
        BinaryPrimitives.WriteInt16LittleEndian(s[254..], (short)h.SformCode);
        double[] q = [h.QuaternB, h.QuaternC, h.QuaternD, h.QoffsetX, h.QoffsetY, h.QoffsetZ];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s[(256 + (4 * i))..], (float)q[i]);
        }

        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s[(280 + (4 * i))..], (float)h.SrowX[i]);
            BinaryPrimitives.WriteSingleLittleEndian(s[(296 + (4 * i))..], (float)h.SrowY[i]);
            BinaryPrimitives.WriteSingleLittleEndian(s[(312 + (4 * i))..], (float)h.SrowZ[i]);
        }

        WriteString(s.Slice(328, 16), h.IntentName);
        "n+1\0"u8.CopyTo(s[344..]);
        return b;
    }

    private static byte[] SerializeNifti2(NiftiHeader h)
    {
        var b = new byte[Nifti2Size];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, Nifti2Size);
        Nifti2Magic.CopyTo(s[4..]);
        BinaryPrimitives.WriteInt16LittleEndian(s[12..], h.Datatype);
        BinaryPrimitives.WriteInt16LittleEndian(s[14..], h.Bitpix);
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s[(16 + (8 * i))..], h.Dim[i]);
            BinaryPrimitives.WriteDoubleLittleEndian(s[(104 + (8 * i))..], h.Pixdim[i]);
        }

        BinaryPrimitives.WriteDoubleLittleEndian(s[80..], h.IntentP1);
        BinaryPrimitives.WriteDoubleLittleEndian(s[88..], h.IntentP2);
        BinaryPrimitives.WriteDoubleLittleEndian(s[96..], h.IntentP3);
        BinaryPrimitives.WriteInt64LittleEndian(s[168..], h.VoxOffset);
        BinaryPrimitives.WriteDoubleLittleEndian(s[176..], h.SclSlope);
        BinaryPrimitives.WriteDoubleLittleEndian(s[184..], h.SclInter);
        BinaryPrimitives.WriteDoubleLittleEndian(s[192..], h.CalMax);
        BinaryPrimitives.WriteDoubleLittleEndian(s[200..], h.CalMin);
        BinaryPrimitives.WriteDoubleLittleEndian(s[208..], h.SliceDuration);
        BinaryPrimitives.WriteDoubleLittleEndian(s[216..], h.Toffset);
        BinaryPrimitives.WriteInt64LittleEndian(s[224..], h.SliceStart);
        BinaryPrimitives.WriteInt64LittleEndian(s[232..], h.SliceEnd);
        WriteString(s.Slice(240, 80), h.Descrip);
        WriteString(s.Slice(320, 24), h.AuxFile);
        BinaryPrimitives.WriteInt32LittleEndian(s[344..], h.QformCode);
        BinaryPrimitives.WriteInt32LittleEndian(s[348..], h.SformCode);
        double[] q = [h.QuaternB, h.QuaternC, h.QuaternD, h.QoffsetX, h.QoffsetY, h.QoffsetZ];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(s[(352 + (8 * i))..], q[i]);
        }

        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(s[(400 + (8 * i))..], h.SrowX[i]);
            BinaryPrimitives.WriteDoubleLittleEndian(s[(432 + (8 * i))..], h.SrowY[i]);
            BinaryPrimitives.WriteDoubleLittleEndian(s[(464 + (8 * i))..], h.SrowZ[i]);
        }

        BinaryPrimitives.WriteInt32LittleEndian(s[496..], h.SliceCode);
        BinaryPrimitives.WriteInt32LittleEndian(s[500..], h.XyztUnits);
        BinaryPrimitives.WriteInt32LittleEndian(s[504..], h.IntentCode);
        WriteString(s.Slice(508, 16), h.IntentName);
        s[524] = (byte)h.DimInfo;
        return b;
    }

    private static string ReadString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? field : field[..end]);
    }

    // Fixed-width C strings: truncated to leave room for the terminating NUL, non-ASCII replaced by '?'.
    private static void WriteString(Span<byte> field, string value)
    {
        int n = Math.Min(value.Length, field.Length - 1);
        for (int i = 0; i < n; i++)
        {
            char c = value[i];
            field[i] = c is > '\0' and < (char)128 ? (byte)c : (byte)'?';
        }
    }

    private static string DescribeBytes(ReadOnlySpan<byte> bytes) =>
        "\"" + string.Concat(bytes.ToArray().Select(c => c is >= 32 and < 127 ? ((char)c).ToString() : $"\\x{c:x2}")) + "\"";

    private readonly ref struct FieldReader(ReadOnlySpan<byte> block, bool bigEndian)
    {
        private readonly ReadOnlySpan<byte> _b = block;

        public bool BigEndian { get; } = bigEndian;

        public short I16(int at) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(_b[at..]) : BinaryPrimitives.ReadInt16LittleEndian(_b[at..]);

        public int I32(int at) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(_b[at..]) : BinaryPrimitives.ReadInt32LittleEndian(_b[at..]);

        public long I64(int at) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(_b[at..]) : BinaryPrimitives.ReadInt64LittleEndian(_b[at..]);

        public float F32(int at) => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(_b[at..]) : BinaryPrimitives.ReadSingleLittleEndian(_b[at..]);

        public double F64(int at) => BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(_b[at..]) : BinaryPrimitives.ReadDoubleLittleEndian(_b[at..]);
    }
}
