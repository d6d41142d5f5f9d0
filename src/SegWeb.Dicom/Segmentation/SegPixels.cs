namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// The native pixel data of a SEG: BINARY frames are bits packed least significant bit first, continuously across
/// frame boundaries (PS3.5 8.1.1 / PS3.3 C.8.20.2); FRACTIONAL frames are one byte per pixel, taken as inside where
/// the value is at least half of MaximumFractionalValue.
/// </summary>
internal sealed class SegPixels
{
    private readonly byte[] _data;
    private readonly int _pixelsPerFrame;
    private readonly bool _fractional;
    private readonly int _threshold;

    public SegPixels(byte[] data, int pixelsPerFrame, bool fractional, int maximumFractionalValue)
    {
        _data = data;
        _pixelsPerFrame = pixelsPerFrame;
        _fractional = fractional;
        _threshold = (maximumFractionalValue + 1) / 2;
    }

    /// <summary>Bytes the frames need: bits rounded up to whole bytes for BINARY, one per pixel for FRACTIONAL.</summary>
    public static long RequiredBytes(int frames, int pixelsPerFrame, bool fractional) =>
        fractional ? (long)frames * pixelsPerFrame : (((long)frames * pixelsPerFrame) + 7) / 8;

    /// <summary>Unpacks frame <paramref name="frameIndex"/> (0-based) to one byte per pixel, 1 inside, row by row.</summary>
    public void Unpack(int frameIndex, Span<byte> destination)
    {
        long start = (long)frameIndex * _pixelsPerFrame;
        if (_fractional)
        {
            var source = _data.AsSpan((int)start, _pixelsPerFrame);
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = source[i] >= _threshold && source[i] > 0 ? (byte)1 : (byte)0;
            }

            return;
        }

        if ((start & 7) == 0)
        {
            // Byte-aligned frame (the usual case, e.g. 512×512): expand byte by byte.
            int offset = (int)(start >> 3), full = _pixelsPerFrame >> 3;
            for (int b = 0; b < full; b++)
            {
                int value = _data[offset + b];
                var target = destination.Slice(b * 8, 8);
                for (int bit = 0; bit < 8; bit++)
                {
                    target[bit] = (byte)((value >> bit) & 1);
                }
            }

            for (int i = full * 8; i < _pixelsPerFrame; i++)
            {
                long bitIndex = start + i;
                destination[i] = (byte)((_data[bitIndex >> 3] >> (int)(bitIndex & 7)) & 1);
            }

            return;
        }

        for (int i = 0; i < _pixelsPerFrame; i++)
        {
            long bitIndex = start + i;
            destination[i] = (byte)((_data[bitIndex >> 3] >> (int)(bitIndex & 7)) & 1);
        }
    }
}
