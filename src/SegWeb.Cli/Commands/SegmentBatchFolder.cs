using SegWeb.Imaging;

namespace SegWeb.Cli.Commands;

/// <summary>
/// The output layout and all-or-nothing publication for several inputs in one `segweb segment` call: input
/// <c>scans/a.nii.gz</c> goes to <c>OUT/a/</c> (what a single run with <c>-o OUT/a</c> writes; with --ml the file
/// <c>OUT/a/segmentations.nii.gz</c>). Every input is written into a hidden staging folder beside OUT; only when all
/// succeeded are the per-input folders moved into OUT, so a failure on the last scan leaves no OUT that was not there.
/// </summary>
internal sealed class SegmentBatchFolder : IDisposable
{
    /// <summary>The multilabel file name inside each input's folder with --ml.</summary>
    public const string MultilabelFileName = "segmentations.nii.gz";

    private readonly string _output;
    private readonly string _staging;

    /// <summary>Creates the staging folder for <paramref name="output"/> (refused when it is an existing file).</summary>
    public SegmentBatchFolder(string output)
    {
        _output = Path.GetFullPath(output);
        if (File.Exists(_output))
        {
            throw new SegWebException($"{output}: is a file; with several inputs -o names a folder (one subfolder per input)");
        }

        string? ancestor = Path.GetDirectoryName(_output);
        while (ancestor is not null && !Directory.Exists(ancestor))
        {
            ancestor = Path.GetDirectoryName(ancestor);
        }

        _staging = Path.Combine(ancestor ?? Path.GetTempPath(), $".segweb-batch-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_staging);
    }

    /// <summary>
    /// The folder name of each input: the file name without .nii.gz/.nii/.zip, or a DICOM folder's name. Refuses two
    /// inputs that would share a folder, before any work.
    /// </summary>
    public static IReadOnlyList<string> Names(IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var names = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var name = NameOf(input);
            if (seen.TryGetValue(name, out var other))
            {
                throw new SegWebException($"{input}: its output folder '{name}' is the same as that of {other}; rename one (each input gets -o/<name>/)");
            }

            seen[name] = input;
            names.Add(name);
        }

        return names;
    }

    /// <summary>The staging folder for the input named <paramref name="name"/> (its final place is OUT/name).</summary>
    public string StagingFor(string name) => Path.Combine(_staging, name);

    /// <summary>The final path of a file written under <see cref="StagingFor"/>.</summary>
    public string FinalPath(string stagedPath)
    {
        ArgumentNullException.ThrowIfNull(stagedPath);
        var relative = Path.GetRelativePath(_staging, stagedPath);
        return Path.Combine(_output, relative);
    }

    /// <summary>Moves every input's folder into the output folder (files of the same name are replaced).</summary>
    public void Publish()
    {
        if (!Directory.Exists(_output))
        {
            // One rename when the output folder is new: it appears complete or not at all.
            Directory.CreateDirectory(Path.GetDirectoryName(_output)!);
            Directory.Move(_staging, _output);
            return;
        }

        foreach (var folder in Directory.GetDirectories(_staging))
        {
            var target = Path.Combine(_output, Path.GetFileName(folder));
            if (!Directory.Exists(target))
            {
                Directory.Move(folder, target);
                continue;
            }

            foreach (var file in Directory.GetFiles(folder))
            {
                File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(_staging))
        {
            Directory.Delete(_staging, recursive: true);
        }
    }

    private static string NameOf(string input)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(input);
        var name = Path.GetFileName(trimmed);
        foreach (var suffix in new[] { ".nii.gz", ".nii", ".zip" })
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^suffix.Length];
                break;
            }
        }

        return name.Length == 0 || name is "." or ".." || name.StartsWith('.')
            ? throw new SegWebException($"{input}: cannot name an output folder after this input")
            : name;
    }
}
