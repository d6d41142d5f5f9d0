using System.IO.Compression;
using System.Text.RegularExpressions;

namespace SegWeb.Models.Packages;

/// <summary>
/// Locates the nnU-Net configuration folder (Trainer__Plans__configuration with dataset.json, plans.json and
/// fold_N/checkpoint_final.pth) in a results folder or zip, extracting a zip safely (no paths outside the
/// target, bounded size).
/// </summary>
internal static partial class ResultsFolder
{
    private const long MaxExtractedBytes = 64L * 1024 * 1024 * 1024;
    private const int MaxSearchDepth = 6;

    public static string ExtractZip(string zipPath, string target)
    {
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            long total = 0;
            var root = Path.GetFullPath(target) + Path.DirectorySeparatorChar;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (total > MaxExtractedBytes)
                {
                    throw new ModelFormatException(zipPath, $"zip expands to more than {MaxExtractedBytes} bytes");
                }

                var destination = Path.GetFullPath(Path.Combine(target, entry.FullName));
                if (!destination.StartsWith(root, StringComparison.Ordinal))
                {
                    throw new ModelFormatException(zipPath, $"zip entry '{entry.FullName}' points outside the extraction folder");
                }

                if (entry.FullName.EndsWith('/'))
                {
                    Directory.CreateDirectory(destination);
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                entry.ExtractToFile(destination);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ModelFormatException(zipPath, $"corrupt or truncated zip: {ex.Message}", ex);
        }

        return target;
    }

    /// <summary>
    /// The single configuration folder under <paramref name="root"/>; with <paramref name="wanted"/> (a
    /// configuration such as 3d_fullres, or a whole Trainer__Plans__configuration folder name) the one that matches.
    /// </summary>
    public static string FindConfigurationFolder(string root, string shownAs, string? wanted = null)
    {
        var found = new List<string>();
        Search(root, 0, found);
        string Listing() => string.Join(", ", found.Select(f => Path.GetRelativePath(root, f)));
        if (found.Count == 0)
        {
            throw new ModelFormatException(shownAs, "no nnU-Net results folder inside (expected dataset.json, plans.json and fold_N/checkpoint_final.pth)");
        }

        var matching = wanted is null ? found
            : found.Where(f => Path.GetFileName(f) == wanted || ParseName(f).Configuration == wanted).ToList();
        return matching.Count switch
        {
            1 => matching[0],
            0 => throw new ModelFormatException(shownAs, $"no configuration '{wanted}' inside (found: {Listing()})"),
            _ => throw new ModelFormatException(shownAs, $"several nnU-Net configurations inside ({Listing()}); choose one with the configuration option (--configuration)"),
        };
    }

    /// <summary>fold_N folders with a checkpoint_final.pth, by fold number ("all" last).</summary>
    public static List<(string Fold, string Checkpoint)> Folds(string configurationFolder) =>
        Directory.EnumerateDirectories(configurationFolder, "fold_*")
            .Select(d => (Fold: Path.GetFileName(d)["fold_".Length..], Checkpoint: Path.Combine(d, "checkpoint_final.pth")))
            .Where(f => File.Exists(f.Checkpoint))
            .OrderBy(f => int.TryParse(f.Fold, out int n) ? n : int.MaxValue)
            .ToList();

    /// <summary>Splits "Trainer__Plans__configuration"; null parts when the folder is named otherwise.</summary>
    public static (string? Trainer, string? Plans, string? Configuration) ParseName(string folder)
    {
        var match = ConfigurationFolderName().Match(Path.GetFileName(folder));
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value) : (null, null, null);
    }

    private static void Search(string dir, int depth, List<string> found)
    {
        if (File.Exists(Path.Combine(dir, "plans.json")) && File.Exists(Path.Combine(dir, "dataset.json")) && Folds(dir).Count > 0)
        {
            found.Add(dir);
            return;
        }

        if (depth >= MaxSearchDepth)
        {
            return;
        }

        foreach (var sub in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            Search(sub, depth + 1, found);
        }
    }

    [GeneratedRegex(@"^(.+?)__(.+?)__(.+)$")]
    private static partial Regex ConfigurationFolderName();
}
