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

        foreach (var part in manifest.Parts)
        {
            if (part.Files.Length != manifest.Folds)
            {
                throw new ModelFormatException(manifestPath, $"part '{part.Name}' lists {part.Files.Length} files for {manifest.Folds} folds");
            }

            foreach (var file in part.Files)
            {
                var full = Path.GetFullPath(Path.Combine(directory, file));
                if (!full.StartsWith(Path.GetFullPath(directory), StringComparison.Ordinal))
                {
                    throw new ModelFormatException(manifestPath, $"file '{file}' lies outside the package");
                }

                if (!File.Exists(full))
                {
                    throw new ModelFormatException(full, $"missing from package '{manifest.Name}'");
                }
            }
        }

        return new ModelPackage(directory, manifest);
    }

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
