using System.Text.Json;

namespace SegWeb.Models.Packages;

/// <summary>A model package on disk: a folder with model.json and the ONNX files it lists.</summary>
public sealed class ModelPackage
{
    private ModelPackage(string directory, ModelManifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    public string Directory { get; }

    public ModelManifest Manifest { get; }

    /// <summary>Full paths of a part's ONNX files, one per fold.</summary>
    public IReadOnlyList<string> FoldFiles(ModelPart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return part.Files.Select(f => Path.Combine(Directory, f)).ToList();
    }

    /// <summary>Reads model.json and checks that every listed file exists (hashes are checked by <see cref="Verify"/>).</summary>
    public static ModelPackage Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new ModelFormatException(manifestPath, "model package manifest not found");
        }

        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath));
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(manifestPath, $"invalid manifest: {ex.Message}", ex);
        }

        if (manifest.FormatVersion != ModelManifest.CurrentFormatVersion)
        {
            throw new ModelFormatException(manifestPath, $"manifest format {manifest.FormatVersion} is not supported (this SegWeb reads {ModelManifest.CurrentFormatVersion})");
        }

        if (ManifestProblem(manifest) is { } problem)
        {
            throw new ModelFormatException(manifestPath, problem);
        }

        var root = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var file in manifest.Provenance.Sha256.Keys.Concat(manifest.Parts.SelectMany(p => p.Files)))
        {
            // A manifest is input like any other: no file it names may lie outside its own folder.
            if (string.IsNullOrEmpty(file) || !Path.GetFullPath(Path.Combine(directory, file)).StartsWith(root, StringComparison.Ordinal))
            {
                throw new ModelFormatException(manifestPath, $"file '{file}' lies outside the package");
            }
        }

        foreach (var part in manifest.Parts)
        {
            if (part.Files.Length != manifest.Folds)
            {
                throw new ModelFormatException(manifestPath, $"part '{part.Name}' lists {part.Files.Length} files for {manifest.Folds} folds");
            }

            foreach (var file in part.Files)
            {
                var full = Path.GetFullPath(Path.Combine(directory, file));
                if (!File.Exists(full))
                {
                    throw new ModelFormatException(full, $"missing from package '{manifest.Name}'");
                }
            }
        }

        return new ModelPackage(directory, manifest);
    }

    // System.Text.Json fills `required` non-nullable members with an explicit null, so check what readers rely on.
    private static string? ManifestProblem(ModelManifest m)
    {
        if (string.IsNullOrWhiteSpace(m.Name))
        {
            return "'name' is empty";
        }

        if (m.Classes is null || m.Classes.Values.Any(c => c is null || string.IsNullOrEmpty(c.Name)) || m.Classes.Keys.Any(k => k <= 0))
        {
            return "'classes' must map positive label ids to named classes";
        }

        if (m.TargetSpacing is null || m.PatchSize is null || m.TargetSpacing.Length is < 2 or > 3 || m.PatchSize.Length != m.TargetSpacing.Length
            || m.TargetSpacing.Any(s => !(s > 0) || double.IsInfinity(s)) || m.PatchSize.Any(p => p < 1))
        {
            return "'targetSpacing' and 'patchSize' must be 2 or 3 positive values each";
        }

        int dims = m.PatchSize.Length;
        // The transposes permute the image's three axes, also for 2D networks (which see one slice of them).
        if (!IsPermutation(m.TransposeForward, 3) || !IsPermutation(m.TransposeBackward, 3))
        {
            return "'transposeForward' and 'transposeBackward' must be permutations of 0..2";
        }

        if (m.MirroringAxes is null || m.MirroringAxes.Any(a => a < 0 || a >= dims))
        {
            return $"'mirroringAxes' must be axes in 0..{dims - 1}";
        }

        if (!(m.TileStepSize > 0 && m.TileStepSize <= 1))
        {
            return "'tileStepSize' must be in (0, 1]";
        }

        if (m.Folds < 1 || m.Parts is null || m.Parts.Length == 0 || m.Provenance?.Sha256 is null)
        {
            return "a package needs at least one fold, one part and provenance hashes";
        }

        foreach (var part in m.Parts)
        {
            if (part is null || string.IsNullOrEmpty(part.Name) || part.Files is null || part.Network?.ClassName is null || part.LabelMap is null
                || part.InputChannels < 1 || part.OutputChannels < 2)
            {
                return "every part needs a name, files, a network, a label map, input channels ≥ 1 and output channels ≥ 2";
            }

            if (part.LabelMap.Any(l => l.Key <= 0 || l.Key >= part.OutputChannels || l.Value < 0 || (l.Value != 0 && !m.Classes.ContainsKey(l.Value))))
            {
                return $"part '{part.Name}': label map entries must be local 1..{part.OutputChannels - 1} → a listed class id (or 0 to drop)";
            }

            if (m.Normalization is null || m.Normalization.Length != part.InputChannels)
            {
                return $"part '{part.Name}' has {part.InputChannels} input channel(s) but 'normalization' has {m.Normalization?.Length ?? 0} entries";
            }
        }

        return null;
    }

    private static bool IsPermutation(int[]? axes, int dims) =>
        axes is not null && axes.Length == dims && axes.Order().SequenceEqual(Enumerable.Range(0, dims));

    /// <summary>Re-hashes every file in the provenance; returns one line per problem (empty: all good).</summary>
    public IReadOnlyList<string> Verify()
    {
        var problems = new List<string>();
        foreach (var (file, expected) in Manifest.Provenance.Sha256)
        {
            var full = Path.Combine(Directory, file);
            if (!File.Exists(full))
            {
                problems.Add($"{full}: missing");
                continue;
            }

            var actual = FileHashes.Sha256(full);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{full}: SHA-256 {actual} does not match the manifest's {expected}");
            }
        }

        foreach (var file in Manifest.Parts.SelectMany(p => p.Files))
        {
            if (!Manifest.Provenance.Sha256.ContainsKey(file))
            {
                problems.Add($"{Path.Combine(Directory, file)}: no SHA-256 in the manifest");
            }
        }

        return problems;
    }
}
