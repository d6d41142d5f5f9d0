using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace SegWeb.Dicom.Segmentation;

/// <summary>UID helpers: validity and "2.25." UIDs (PS3.5 B.2: a UUID written as one decimal integer).</summary>
public static class DicomUids
{
    /// <summary>SOP class of the Segmentation IOD.</summary>
    public const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

    /// <summary>A new random UID.</summary>
    public static string New() => FromUuidBytes(Guid.NewGuid().ToByteArray());

    /// <summary>A UID derived from <paramref name="seed"/>: the same seed always gives the same UID.</summary>
    public static string FromSeed(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var bytes = hash.AsSpan(0, 16).ToArray();

        // Mark it as an RFC 9562 version 8 (custom) UUID so it cannot collide with random (v4) ones.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return FromUuidBytes(bytes);
    }

    /// <summary>True for a syntactically valid UID: 1–64 characters, numeric components without leading zeros.</summary>
    public static bool IsValid(string? uid)
    {
        if (string.IsNullOrEmpty(uid) || uid.Length > 64)
        {
            return false;
        }

        foreach (var part in uid.Split('.'))
        {
            if (part.Length == 0 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
            {
                return false;
            }
        }

        return true;
    }

    private static string FromUuidBytes(byte[] bytes) =>
        "2.25." + new BigInteger(bytes, isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
