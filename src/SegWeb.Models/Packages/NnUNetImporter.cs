using System.Text.Json.Nodes;
using SegWeb.Models.Checkpoints;
using SegWeb.Models.Networks;
using SegWeb.Models.NnUNet;

namespace SegWeb.Models.Packages;

/// <summary>
/// Imports an nnU-Net v2 results folder (or its zip) as a SegWeb model package: one ONNX per fold, built from
/// plans.json's architecture and the fold's checkpoint without Python, and a model.json manifest. The package
/// is assembled in a staging folder beside the target and moved into place only when complete.
/// </summary>
public static class NnUNetImporter
{
    /// <summary>Imports <paramref name="folderOrZip"/> into <paramref name="packageDirectory"/> (which must not exist unless Overwrite).</summary>
    public static ModelPackage Import(string folderOrZip, string packageDirectory, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folderOrZip);
        ArgumentNullException.ThrowIfNull(packageDirectory);
        options ??= new ImportOptions();
        if (Directory.Exists(packageDirectory) && !options.Overwrite)
        {
            throw new ModelFormatException(packageDirectory, "a model package already exists here (use overwrite to replace it)");
        }

        var parent = Path.GetDirectoryName(Path.GetFullPath(packageDirectory))!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(Path.GetFullPath(packageDirectory))}.importing-{Guid.NewGuid():N}");
        string? extracted = null;
        try
        {
            string root;
            if (File.Exists(folderOrZip))
            {
                extracted = staging + ".zip-contents";
                root = ResultsFolder.ExtractZip(folderOrZip, extracted);
            }
            else if (Directory.Exists(folderOrZip))
            {
                root = folderOrZip;
            }
            else
            {
                throw new ModelFormatException(folderOrZip, "no such folder or zip");
            }

            var configurationFolder = ResultsFolder.FindConfigurationFolder(root, folderOrZip, options.Configuration);
            Directory.CreateDirectory(staging);
            ModelManifest manifest;
            try
            {
                manifest = Build(folderOrZip, configurationFolder, staging, options);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException or System.Text.Json.JsonException or KeyNotFoundException)
            {
                // JsonNode's GetValue<T> and int.Parse report a value of the wrong kind this way (a string where
                // plans.json needs a number, a channel key that is not an index): bad input, not a bug.
                throw new ModelFormatException(configurationFolder, $"malformed plans.json or dataset.json: {ex.Message}", ex);
            }

            File.WriteAllText(Path.Combine(staging, ModelManifest.FileName), manifest.ToJson());
            if (Directory.Exists(packageDirectory))
            {
                Directory.Delete(packageDirectory, recursive: true);
            }

            Directory.Move(staging, packageDirectory);
            return ModelPackage.Load(packageDirectory);
        }
        finally
        {
            DeleteQuietly(staging);
            if (extracted is not null)
            {
                DeleteQuietly(extracted);
            }
        }
    }

    private static ModelManifest Build(string source, string folder, string staging, ImportOptions options)
    {
        var (trainerFromName, plansFromName, configurationFromName) = ResultsFolder.ParseName(folder);
        var dataset = NnUNetDataset.Load(Path.Combine(folder, "dataset.json"));
        var plans = NnUNetPlans.Load(Path.Combine(folder, "plans.json"));
        var configurationName = configurationFromName ?? (plans.ConfigurationNames.Contains("3d_fullres") ? "3d_fullres" : plans.ConfigurationNames.FirstOrDefault())
            ?? throw new ModelFormatException(plans.FilePath, "no configurations");
        var configuration = plans.Configuration(configurationName);
        var architecture = plans.Architecture(configurationName);
        int inputChannels = dataset.ChannelNames.Length;
        var folds = ResultsFolder.Folds(folder);

        var files = new List<string>();
        var sha = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var sourceSha = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dataset.json"] = FileHashes.Sha256(dataset.FilePath),
            ["plans.json"] = FileHashes.Sha256(plans.FilePath),
        };
        string? trainer = trainerFromName;
        int[]? mirroring = null;
        foreach (var (fold, checkpointPath) in folds)
        {
            using var checkpoint = NnUNetCheckpoint.Open(checkpointPath);
            trainer ??= checkpoint.TrainerName;
            mirroring ??= checkpoint.InferenceAllowedMirroringAxes;
            var graph = UNetOnnxExporter.Export(architecture, checkpoint.Weights, inputChannels, dataset.OutputChannels, $"{plans.DatasetName}_fold_{fold}");
            graph.Metadata["segweb.source"] = $"fold_{fold}/checkpoint_final.pth";
            graph.Metadata["segweb.network"] = architecture.ClassName;
            var file = $"fold_{fold}.onnx";
            using (var stream = File.Create(Path.Combine(staging, file)))
            {
                graph.Write(stream);
            }

            files.Add(file);
            sha[file] = FileHashes.Sha256(Path.Combine(staging, file));
            sourceSha[$"fold_{fold}/checkpoint_final.pth"] = FileHashes.Sha256(checkpointPath);
        }

        var name = options.Name ?? plans.DatasetName ?? Path.GetFileName(folder);
        var labelMap = new SortedDictionary<int, int>();
        var classes = new SortedDictionary<int, ClassInfo>();
        foreach (var (local, labelName) in dataset.Labels.Where(l => l.Key != 0))
        {
            int global = options.LabelMap is null ? local
                : options.LabelMap.TryGetValue(local, out int g) ? g : throw new ModelFormatException(dataset.FilePath, $"label {local} ({labelName}) has no global id in the label map");
            labelMap[local] = global;
            if (global != 0)
            {
                // Global 0: an auxiliary label the task drops from its output (TotalSegmentator does this for some parts).
                classes[global] = options.ClassMetadata?.Describe(labelName) ?? new ClassInfo { Name = labelName };
            }
        }

        return new ModelManifest
        {
            Name = name,
            Modality = ModalityOf(dataset.ChannelNames),
            Task = options.Task ?? plans.DatasetName,
            Classes = classes,
            TargetSpacing = DoubleArray(configuration, "spacing", plans.FilePath),
            PatchSize = DoubleArray(configuration, "patch_size", plans.FilePath).Select(v => (int)v).ToArray(),
            TransposeForward = plans.TransposeForward,
            TransposeBackward = plans.TransposeBackward,
            Normalization = Normalization(plans, configuration, inputChannels),
            MirroringAxes = mirroring ?? [],
            Folds = files.Count,
            Parts =
            [
                new ModelPart
                {
                    Name = plans.DatasetName ?? name,
                    Files = [.. files],
                    InputChannels = inputChannels,
                    OutputChannels = dataset.OutputChannels,
                    LabelMap = labelMap,
                    Network = new NetworkInfo
                    {
                        ClassName = architecture.ClassName,
                        Trainer = trainer,
                        Plans = plansFromName ?? plans.PlansName,
                        Configuration = configurationName,
                        Dataset = plans.DatasetName,
                        Opset = 17,
                    },
                },
            ],
            Provenance = new Provenance
            {
                Source = Path.GetFullPath(source),
                Licence = options.Licence,
                ImportedAt = DateTimeOffset.UtcNow,
                Sha256 = sha,
                SourceSha256 = sourceSha,
            },
        };
    }

    private static ChannelNormalization[] Normalization(NnUNetPlans plans, JsonObject configuration, int channels)
    {
        var schemes = configuration["normalization_schemes"] as JsonArray;
        var masks = configuration["use_mask_for_norm"] as JsonArray;
        var result = new ChannelNormalization[channels];
        for (int c = 0; c < channels; c++)
        {
            var scheme = schemes is not null && c < schemes.Count ? schemes[c]!.GetValue<string>() : "ZScoreNormalization";
            var properties = plans.IntensityProperties(c);
            bool ct = scheme == "CTNormalization";
            if (ct && properties is null)
            {
                throw new ModelFormatException(plans.FilePath, $"channel {c} uses CTNormalization but plans.json has no foreground intensity properties for it");
            }

            result[c] = new ChannelNormalization
            {
                Scheme = scheme,
                ClipLow = ct ? properties!["percentile_00_5"]?.GetValue<double>() : null,
                ClipHigh = ct ? properties!["percentile_99_5"]?.GetValue<double>() : null,
                Mean = ct ? properties!["mean"]?.GetValue<double>() : null,
                Std = ct ? properties!["std"]?.GetValue<double>() : null,
                UseMaskForNorm = masks is not null && c < masks.Count && masks[c]!.GetValue<bool>(),
            };
        }

        return result;
    }

    private static double[] DoubleArray(JsonObject configuration, string key, string file) =>
        configuration[key] is JsonArray a ? a.Select(v => v!.GetValue<double>()).ToArray() : throw new ModelFormatException(file, $"configuration lacks '{key}'");

    private static string? ModalityOf(string[] channelNames)
    {
        var first = channelNames.FirstOrDefault()?.ToUpperInvariant() ?? string.Empty;
        return first switch
        {
            "CT" => "CT",
            _ when first.StartsWith("MR", StringComparison.Ordinal) || first is "T1" or "T2" or "FLAIR" or "ADC" => "MR",
            "" => null,
            _ => channelNames[0],
        };
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Leftover staging folders are named .<name>.importing-*; never worth failing an import over.
        }
    }
}
