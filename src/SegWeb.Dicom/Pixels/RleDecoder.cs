using System.Buffers.Binary;

namespace SegWeb.Dicom.Pixels;

/// <summary>
/// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte
/// plane, most significant byte first. Produces the frame as native little-endian bytes, planar configuration 0.
/// </summary>
internal static class RleDecoder
{
    /// <summary>Decodes one frame; <paramref name="source"/> names the file in errors.</summary>
    public static byte[] DecodeFrame(ReadOnlySpan<byte> data, DicomPixelDescription d, string source)
    {
        // 1-bit images are one segment of the frame's packed bits (PS3.5 G.2: the segment is padded, so it may
        // decode a little past what the frame needs; the rest is ignored).
        bool packedBits = d.BitsAllocated == 1;
        int bytesPerSample = packedBits ? 1 : d.BitsAllocated / 8;
        int pixels = packedBits ? (int)(((long)d.Rows * d.Columns + 7) / 8) : d.Rows * d.Columns;
        int expectedSegments = bytesPerSample * d.SamplesPerPixel;
        if (data.Length < 64)
        {
            throw new DicomFormatException(source, $"an RLE frame of {data.Length} bytes is shorter than its 64-byte header");
        }

        int segments = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (segments != expectedSegments)
        {
            throw new DicomFormatException(source, $"the RLE header lists {segments} segments, the image needs {expectedSegments}");
        }

        // PackBits turns 2 bytes into at most 128, so a frame cannot decode to more than 64× its size: refuse absurd
        // Rows × Columns before allocating for them.
        if ((long)pixels * segments > 64L * data.Length)
        {
            throw new DicomFormatException(source, $"an RLE frame of {data.Length} bytes cannot hold {d.Rows} × {d.Columns} pixels");
        }

        var output = new byte[pixels * bytesPerSample * d.SamplesPerPixel];
        var plane = new byte[pixels + (packedBits ? 130 : 0)];
        for (int s = 0; s < segments; s++)
        {
            uint begin = BinaryPrimitives.ReadUInt32LittleEndian(data[(4 + (4 * s))..]);
            uint end = s + 1 < segments ? BinaryPrimitives.ReadUInt32LittleEndian(data[(8 + (4 * s))..]) : (uint)data.Length;
            if (begin < 64 || end > data.Length || begin > end)
            {
                throw new DicomFormatException(source, $"RLE segment {s} has offsets {begin}..{end} outside the {data.Length}-byte frame");
            }

            DecodeSegment(data[(int)begin..(int)end], plane, pixels, source, s);

            // Segment order: sample 0 most significant byte first, ...; output is little endian, samples interleaved.
            int sample = s / bytesPerSample;
            int byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
            int stride = bytesPerSample * d.SamplesPerPixel;
            int offset = (sample * bytesPerSample) + byteInSample;
            for (int p = 0; p < pixels; p++)
            {
                output[offset + (p * stride)] = plane[p];
            }
        }

        return output;
    }

    /// <summary>PackBits: n in 0..127 copies n+1 literal bytes, n in -127..-1 repeats the next byte 1-n times, -128 is a no-op.</summary>
    private static void DecodeSegment(ReadOnlySpan<byte> segment, Span<byte> plane, int required, string source, int index)
    {
        int i = 0, o = 0;
        while (o < required && i < segment.Length)
        {
            int n = (sbyte)segment[i++];
            if (n >= 0)
            {
                int count = n + 1;
                if (i + count > segment.Length || o + count > plane.Length)
                {
                    throw new DicomFormatException(source, $"RLE segment {index} has a literal run past its end");
                }

                segment.Slice(i, count).CopyTo(plane[o..]);
                i += count;
                o += count;
            }
            else if (n != -128)
            {
                int count = 1 - n;
                if (i >= segment.Length || o + count > plane.Length)
                {
                    throw new DicomFormatException(source, $"RLE segment {index} has a repeat run past its end");
                }

                plane.Slice(o, count).Fill(segment[i++]);
                o += count;
            }
        }

        if (o < required)
        {
            throw new DicomFormatException(source, $"RLE segment {index} decodes to {o} bytes, the frame needs {required}");
        }
    }
}
