using System.IO.Compression;
using System.Security.Cryptography;
using SegWeb.Models.Catalog;

namespace SegWeb.Models.Download;

/// <summary>Checks a downloaded model zip: that it is a readable zip and that the files with published hashes match.</summary>
public static class ZipVerifier
{
    /// <summary>
    /// Opens <paramref name="zipPath"/> and verifies each expected entry (matched by path suffix, see
    /// <see cref="KnownFileHash.Path"/>). Problems are <see cref="ModelVerificationException"/>s naming
    /// <paramref name="displayPath"/>; the caller deletes the file.
    /// </summary>
    public static IReadOnlyList<VerifiedEntry> Verify(string zipPath, string displayPath, IReadOnlyList<KnownFileHash> expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelVerificationException(displayPath, $"not a readable zip ({ex.Message})", innerException: ex);
        }

        using (archive)
        {
            var verified = new List<VerifiedEntry>();
            foreach (var file in expected)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var matches = archive.Entries.Where(e => Matches(e.FullName, file.Path)).ToList();
                if (matches.Count == 0)
                {
                    throw new ModelVerificationException(displayPath, $"the zip has no {file.Path}");
                }

                if (matches.Count > 1)
                {
                    throw new ModelVerificationException(displayPath, $"the zip has {matches.Count} entries ending in {file.Path}: {string.Join(", ", matches.Select(m => m.FullName))}");
                }

                string actual;
                try
                {
                    using var stream = matches[0].Open();
                    actual = Convert.ToHexStringLower(SHA256.HashData(stream));
                }
                catch (InvalidDataException ex)
                {
                    throw new ModelVerificationException(displayPath, $"{matches[0].FullName} in the zip is corrupt ({ex.Message})", innerException: ex);
                }

                if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelVerificationException(displayPath,
                        $"SHA-256 of {matches[0].FullName} is {actual}, expected {file.Sha256.ToLowerInvariant()}", file.Sha256, actual);
                }

                verified.Add(new VerifiedEntry(matches[0].FullName, actual));
            }

            return verified;
        }
    }

    private static bool Matches(string entryName, string path)
    {
        var name = entryName.Replace('\\', '/');
        return name == path || name.EndsWith("/" + path, StringComparison.Ordinal);
    }
}
