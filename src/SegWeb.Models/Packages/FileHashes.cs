using System.Security.Cryptography;

namespace SegWeb.Models.Packages;

/// <summary>SHA-256 of files, as lowercase hex.</summary>
public static class FileHashes
{
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256(Stream stream) => Convert.ToHexStringLower(SHA256.HashData(stream));
}
