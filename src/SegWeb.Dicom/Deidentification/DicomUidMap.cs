using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace SegWeb.Dicom.Deidentification;

/// <summary>
/// Replaces UIDs consistently: the same input UID always gets the same new UID, derived as
/// 2.25.&lt;128-bit number&gt; from a keyed hash (HMAC-SHA-256 with this map's secret key) of the input, shaped as an
/// RFC 9562 version 8 UUID. Keep one map for a whole study (or several runs, by keeping the key) so that references
/// between de-identified objects — a SEG's ReferencedSOPInstanceUID, a shared FrameOfReferenceUID — still match.
/// Without the key the new UIDs reveal nothing about the old ones. Thread-safe.
/// </summary>
public sealed class DicomUidMap
{
    private readonly byte[] _key;
    private readonly Dictionary<string, string> _map = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A map with a fresh random 256-bit key.</summary>
    public DicomUidMap()
        : this(RandomNumberGenerator.GetBytes(32))
    {
    }

    /// <summary>A map with a caller's key (at least 16 bytes): the same key maps the same UIDs the same way in every run.</summary>
    public DicomUidMap(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("The UID map key must be at least 16 bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>UIDs mapped so far (original → replacement), e.g. to keep a linkage table under the caller's control.</summary>
    public IReadOnlyDictionary<string, string> Mapped
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_map, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The replacement for <paramref name="uid"/> (an empty UID stays empty).</summary>
    public string Map(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        uid = uid.Trim().TrimEnd('\0');
        if (uid.Length == 0)
        {
            return uid;
        }

        lock (_gate)
        {
            if (!_map.TryGetValue(uid, out var mapped))
            {
                mapped = Derive(uid);
                _map[uid] = mapped;
            }

            return mapped;
        }
    }

    private string Derive(string uid)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(uid), hash);
        var uuid = hash[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8 (custom)
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC variant
        var value = new BigInteger(uuid, isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
