using System.Diagnostics;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;
using SegWeb.Inference.Pipeline;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb segment --report run.json`: what ran, on what, how long, and what it wrote (schema "segweb-run/1",
/// documented in docs/inference.md). Written after the outputs were published.
/// </summary>
internal sealed record SegmentReport
{
    /// <summary>The schema identifier; bumped when a field changes meaning or disappears.</summary>
    public const string SchemaId = "segweb-run/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Paths and versions as people read them ("0.1.0+abc", "é"), not \u-escaped; the file is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string Schema { get; init; } = SchemaId;
    public required string SegwebVersion { get; init; }
    public required string OnnxruntimeVersion { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public required double TotalSeconds { get; init; }
    public required ReportModel Model { get; init; }
    public required IReadOnlyDictionary<string, object?> Options { get; init; }
    public required string? ExecutionProvider { get; init; }
    public required int OnnxSessionsCreated { get; init; }
    public required long PeakWorkingSetBytes { get; init; }
    public required IReadOnlyList<ReportInput> Inputs { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>SegWeb's informational version (the CLI assembly's).</summary>
    public static string SegWebVersion =>
        typeof(SegmentReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The native ONNX Runtime's own version string.</summary>
    public static string OnnxRuntimeVersion
    {
        get
        {
            try
            {
                return OrtEnv.Instance().GetVersionString();
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or TypeInitializationException)
            {
                return typeof(InferenceSession).Assembly.GetName().Version?.ToString() ?? "unknown";
            }
        }
    }

    /// <summary>The process's peak working set so far.</summary>
    public static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    /// <summary>Writes the report as indented JSON, atomically.</summary>
    public void Write(string path) => InputFiles.WriteAtomically(path, temp => File.WriteAllText(temp, JsonSerializer.Serialize(this, Json) + "\n"));
}

/// <summary>The model package: identity and the checksums its manifest records.</summary>
internal sealed record ReportModel(string Name, string Version, string? Task, string Directory, int Folds,
    IReadOnlyList<ReportPart> Parts, IReadOnlyDictionary<string, string> Sha256)
{
    public static ReportModel From(ModelPackage package)
    {
        var m = package.Manifest;
        return new ReportModel(m.Name, m.Version, m.Task, Path.GetFullPath(package.Directory), m.Folds,
            [.. m.Parts.Select(p => new ReportPart(p.Name, p.Files, p.Network.Dataset, p.Network.Trainer, p.Network.Configuration))],
            m.Provenance.Sha256);
    }
}

/// <summary>One part of the model and its ONNX files (one per fold).</summary>
internal sealed record ReportPart(string Name, IReadOnlyList<string> Files, string? Dataset, string? Trainer, string? Configuration);

/// <summary>One input: what it was, how long each stage took, what it warned, what was written for it.</summary>
internal sealed record ReportInput(string Path, string Format, int[] Shape, double[] SpacingMm, string Orientation, string VoxelType,
    IReadOnlyList<ReportTiming> Timings, IReadOnlyList<string> Warnings, IReadOnlyList<string> Outputs)
{
    public static ReportInput From(string path, SegmentationResult result, IReadOnlyList<string> outputs)
    {
        var image = result.Image;
        var (sx, sy, sz) = image.Spacing;
        return new ReportInput(System.IO.Path.GetFullPath(path), result.Header is null ? "dicom" : "nifti",
            [image.Shape.X, image.Shape.Y, image.Shape.Z], [sx, sy, sz], Imaging.Geometry.Orientation.AxisCodes(image.Affine),
            image.VoxelType.ToString(), [.. result.Timings.Select(t => new ReportTiming(t.Stage, t.Elapsed.TotalSeconds))],
            result.Warnings, outputs);
    }
}

/// <summary>Wall time of one pipeline stage, or of writing the outputs ("write").</summary>
internal sealed record ReportTiming(string Stage, double Seconds);
