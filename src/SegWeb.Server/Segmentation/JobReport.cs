using System.Reflection;
using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;
using SegWeb.Server.Inputs;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Segmentation;

/// <summary>report.json: what ran on which input, how long each stage took and what went wrong along the way.</summary>
/// <param name="SegWebVersion">The server's informational version (with the commit).</param>
/// <param name="Model">The model package.</param>
/// <param name="JobId">The job.</param>
/// <param name="Attempt">1 for the first run, 2 for the first retry, …</param>
/// <param name="Options">The request as the client sent it.</param>
/// <param name="Input">The input as validated at upload, and the volume the pipeline read.</param>
/// <param name="StageTimings">Pipeline stages, then one "write &lt;file&gt;" entry per output, in order.</param>
/// <param name="Warnings">Request and pipeline warnings.</param>
/// <param name="Outputs">The result files written with this report.</param>
/// <param name="CreatedAt">When the report was written (UTC).</param>
public sealed record JobReport(
    string SegWebVersion,
    JobReport.ModelInfo Model,
    Guid JobId,
    int Attempt,
    JobRequest Options,
    JobReport.InputInfo Input,
    IReadOnlyList<JobStageTiming> StageTimings,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Outputs,
    DateTime CreatedAt)
{
    // A file for people and tools, never embedded in HTML: "+" in the version stays "+", not "\u002B".
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The server's version: the assembly's informational version ("0.1.0+commit").</summary>
    public static string ServerVersion { get; } =
        typeof(JobReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>A model package's identity.</summary>
    public sealed record ModelInfo(string Name, string Version, string? Task, string? Modality, int Classes);

    /// <summary>The input: its upload-time description and the geometry of the volume read (RAS+ mm, like nibabel).</summary>
    public sealed record InputInfo(InputDescription? Description, IReadOnlyList<int> Shape, IReadOnlyList<double> Spacing, string Orientation, string VoxelType);

    /// <summary>The input part of the report for the volume the pipeline read.</summary>
    public static InputInfo Describe(InputDescription? description, Volume image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (sx, sy, sz) = image.Spacing;
        return new InputInfo(description, [image.Shape.X, image.Shape.Y, image.Shape.Z], [sx, sy, sz],
            Orientation.AxisCodes(image.Affine), image.VoxelType.ToString());
    }

    /// <summary>Writes the report as indented JSON.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a report (tests, tools).</summary>
    public static JobReport? Read(string path) => JsonSerializer.Deserialize<JobReport>(File.ReadAllText(path), Json);
}
