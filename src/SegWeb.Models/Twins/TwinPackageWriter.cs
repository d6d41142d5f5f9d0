using System.Globalization;
using SegWeb.Models.Checkpoints;
using SegWeb.Models.Networks;
using SegWeb.Models.Packages;

namespace SegWeb.Models.Twins;

/// <summary>
/// Writes an architecture twin as a model package: the same ONNX exporter as an import, fed seeded random
/// weights (He-normal convolutions, InstanceNorm scales near 1, small biases). Same seed, same bytes. Useful
/// where real weights cannot go: memory and speed measurements, CI of the inference pipeline, demos of the
/// package format. Its outputs are meaningless, and its manifest says so.
/// </summary>
public static class TwinPackageWriter
{
    /// <summary>Writes the twin to <paramref name="packageDirectory"/> (which must not exist); returns the loaded package.</summary>
    public static ModelPackage Write(ArchitectureTwin twin, string packageDirectory, string? name = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(twin);
        ArgumentNullException.ThrowIfNull(packageDirectory);
        if (Directory.Exists(packageDirectory))
        {
            throw new ModelFormatException(packageDirectory, "a model package already exists here");
        }

        var full = Path.GetFullPath(packageDirectory);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.synth-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var weights = NetworkWeights.Generated((parameter, shape) => RandomParameter(seed, parameter, shape));
            var graph = UNetOnnxExporter.Export(twin.Architecture, weights, inputChannels: 1, twin.OutputChannels, $"twin_{twin.Model.DatasetId}");
            graph.Metadata["segweb.source"] = $"synthetic twin of {twin.Model.ModelName}, seed {seed}";
            graph.Metadata["segweb.network"] = twin.Architecture.ClassName;
            const string file = "fold_0.onnx";
            using (var stream = File.Create(Path.Combine(staging, file)))
            {
                graph.Write(stream);
            }

            var manifest = Manifest(twin, name ?? $"twin-{twin.Like}", seed, file, FileHashes.Sha256(Path.Combine(staging, file)));
            File.WriteAllText(Path.Combine(staging, ModelManifest.FileName), manifest.ToJson());
            Directory.Move(staging, full);
            return ModelPackage.Load(full);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static ModelManifest Manifest(ArchitectureTwin twin, string name, int seed, string file, string sha256)
    {
        bool ct = twin.Modality == "CT";
        return new ModelManifest
        {
            Name = name,
            Version = "synthetic",
            Modality = twin.Modality,
            Task = twin.Task.Name,
            Classes = new SortedDictionary<int, ClassInfo>(twin.ClassNames.ToDictionary(c => c.Key, c => ClassMetadataTable.LoadTotalSegmentator().Describe(c.Value))),
            TargetSpacing = twin.TargetSpacing,
            PatchSize = twin.PatchSize,
            TransposeForward = [0, 1, 2],
            TransposeBackward = [0, 1, 2],
            // Placeholders of the right kind: the real model's intensity statistics live in its plans.json.
            Normalization =
            [
                ct
                    ? new ChannelNormalization { Scheme = "CTNormalization", ClipLow = -1000, ClipHigh = 1500, Mean = 100, Std = 300 }
                    : new ChannelNormalization { Scheme = "ZScoreNormalization" },
            ],
            MirroringAxes = twin.Variant.Trainer.Contains("NoMirroring", StringComparison.Ordinal) ? [] : [0, 1, 2],
            Folds = 1,
            Parts =
            [
                new ModelPart
                {
                    Name = twin.Model.ModelName,
                    Files = [file],
                    InputChannels = 1,
                    OutputChannels = twin.OutputChannels,
                    LabelMap = twin.LabelMap,
                    Network = new NetworkInfo
                    {
                        ClassName = twin.Architecture.ClassName,
                        Trainer = twin.Variant.Trainer,
                        Plans = twin.Variant.Plans,
                        Configuration = twin.Variant.Configuration,
                        Dataset = twin.Model.ModelName,
                        Opset = 17,
                    },
                },
            ],
            Provenance = new Provenance
            {
                Source = string.Create(CultureInfo.InvariantCulture, $"segweb models synth --like {twin.Like} --seed {seed} (architecture twin of {twin.Model.ModelName}; random weights, meaningless outputs)"),
                Licence = "none: synthetic random weights",
                ImportedAt = DateTimeOffset.UtcNow,
                Sha256 = new SortedDictionary<string, string>(StringComparer.Ordinal) { [file] = sha256 },
            },
        };
    }

    /// <summary>
    /// Values for one parameter from a generator seeded by (seed, parameter name), so they do not depend on the
    /// order the exporter asks in. Convolution weights are He-normal (std √(2/fan_in)); norm scales 1 ± 0.1;
    /// biases ± 0.1 (normal).
    /// </summary>
    internal static float[] RandomParameter(int seed, string parameter, long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        var random = new Random(StableHash(seed, parameter));
        bool isNormScale = parameter.EndsWith(".norm.weight", StringComparison.Ordinal);
        bool isBias = parameter.EndsWith(".bias", StringComparison.Ordinal);
        double std, mean = 0;
        if (isNormScale)
        {
            (mean, std) = (1, 0.1);
        }
        else if (isBias)
        {
            std = 0.1;
        }
        else
        {
            // Conv: [out, in, k...] fan_in = in·k; ConvTranspose: [in, out, k...] — the same formula keeps activations tame.
            long fanIn = shape.Length > 1 ? shape.Skip(1).Aggregate(1L, (a, b) => a * b) : 1;
            std = Math.Sqrt(2.0 / fanIn);
        }

        for (long i = 0; i < count; i += 2)
        {
            // Box–Muller: two normals per pair of uniforms.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = (float)(mean + std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < count)
            {
                values[i + 1] = (float)(mean + std * r * Math.Sin(2 * Math.PI * u2));
            }
        }

        return values;
    }

    // FNV-1a: string.GetHashCode is randomised per process, which would make twins differ between runs.
    private static int StableHash(int seed, string text)
    {
        uint hash = 2166136261u ^ (uint)seed;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }
}
