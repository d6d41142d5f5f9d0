using System.Security.Cryptography;
using System.Text;

namespace SegWeb.Server.Accounts;

/// <summary>Makes and hashes API keys: "sw_" + 32 random bytes in URL-safe base64 (256 bits, so a plain SHA-256 is a safe store).</summary>
public static class ApiKeys
{
    public const string Prefix = "sw_";

    /// <summary>A new random key.</summary>
    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
