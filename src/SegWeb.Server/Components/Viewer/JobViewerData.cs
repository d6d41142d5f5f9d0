using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Server.Jobs;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Components.Viewer;

/// <summary>One row of the structures table beside the viewer.</summary>
/// <param name="Value">The structure's voxel value in the label map.</param>
/// <param name="Name">Class name.</param>
/// <param name="Color">Display colour, sRGB 0–255 (from <see cref="StructurePalette"/>).</param>
/// <param name="VolumeMl">Volume in mL from statistics.json, or null when the job wrote no statistics.</param>
/// <param name="MeanHu">Mean intensity (HU for CT) from statistics.json, or null.</param>
public sealed record StructureRow(int Value, string Name, IReadOnlyList<int> Color, double? VolumeMl, double? MeanHu)
{
    /// <summary>The colour as CSS <c>rgb(r g b)</c>.</summary>
    public string CssColor => string.Create(CultureInfo.InvariantCulture, $"rgb({Color[0]} {Color[1]} {Color[2]})");
}

/// <summary>What the panel shows for one succeeded job.</summary>
/// <param name="JobId">The job.</param>
/// <param name="VolumeUrl">The scan on its own grid (served by the results endpoint).</param>
/// <param name="LabelMapUrl">The multilabel map.</param>
/// <param name="Structures">The structures present (volume above 0 when statistics exist), by label value.</param>
/// <param name="Problem">Why the viewer cannot show this job (not found, not succeeded, a result missing), or null.</param>
public sealed record JobViewerModel(Guid JobId, string VolumeUrl, string LabelMapUrl, IReadOnlyList<StructureRow> Structures, string? Problem = null)
{
    /// <summary>The labels in the form the viewer module takes.</summary>
    public IReadOnlyList<ViewerLabel> Labels => Structures.Select(s => new ViewerLabel(s.Value, s.Name, s.Color)).ToList();
}

/// <summary>
/// Reads what the viewer panel needs straight from the job's results folder through the server's services (the
/// panel runs on the server, so it needs no HTTP round trip): the label table from multilabel.nii.gz's header and
/// volumes/means from statistics.json. The browser then downloads the two NIfTI files from the results endpoint.
/// </summary>
public static class JobViewerData
{
    /// <summary>The scan on the label map's grid; written by the server's pipeline.</summary>
    public const string VolumeFile = "volume.nii.gz";

    /// <summary>The model for a job of <paramref name="ownerId"/>; a job that is not theirs reads as not found.</summary>
    public static async Task<JobViewerModel> LoadAsync(SegWebDbContext db, JobFolders folders, Guid jobId, string ownerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(folders);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.OwnerId == ownerId, ct);
        if (job is null)
        {
            return Empty(jobId, $"job {jobId} not found");
        }

        if (job.State != JobState.Succeeded)
        {
            return Empty(jobId, $"job {jobId} is {job.State.ToString().ToLowerInvariant()}: the viewer opens once it succeeded");
        }

        var outputs = job.OutputsJson is null ? [] : JsonSerializer.Deserialize<List<string>>(job.OutputsJson, JobStore.Json) ?? [];
        return FromResults(jobId, folders.ResultsFolder(jobId), outputs);
    }

    /// <summary>The model from a results folder and the job's recorded output names.</summary>
    public static JobViewerModel FromResults(Guid jobId, string resultsFolder, IReadOnlyCollection<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        string Url(string name) => $"/api/v1/jobs/{jobId}/results/{Uri.EscapeDataString(name)}";
        foreach (var needed in new[] { VolumeFile, PipelineSegmentationRunner.MultilabelFile })
        {
            if (!outputs.Contains(needed, StringComparer.Ordinal) || !File.Exists(Path.Combine(resultsFolder, needed)))
            {
                return Empty(jobId, $"job {jobId} has no {needed}: ask for the multilabel output to view it");
            }
        }

        var header = NiftiReader.ReadHeader(Path.Combine(resultsFolder, PipelineSegmentationRunner.MultilabelFile));
        var names = MultilabelNifti.ReadLabelNames(header);
        var statsPath = Path.Combine(resultsFolder, PipelineSegmentationRunner.StatisticsJson);
        var stats = outputs.Contains(PipelineSegmentationRunner.StatisticsJson, StringComparer.Ordinal) && File.Exists(statsPath)
            ? ReadStatistics(statsPath)
            : null;
        var rows = new List<StructureRow>();
        HashSet<int>? present = null;
        foreach (var label in StructurePalette.LabelsFor(names))
        {
            double? volume = null, mean = null;
            if (stats is not null)
            {
                if (stats.TryGetValue(label.Name, out var s) && s.VolumeMm3 > 0)
                {
                    (volume, mean) = (s.VolumeMm3 / 1000.0, s.Mean);
                }
                else
                {
                    // TotalSegmentator lists every class with volume 0 when absent, but also when the structure
                    // touches the scan's first or last slice (its statistics would be of a cut-off organ). Only the
                    // label map tells the two apart; a present one stays in the table, without figures.
                    present ??= PresentLabels(Path.Combine(resultsFolder, PipelineSegmentationRunner.MultilabelFile));
                    if (!present.Contains(label.Value))
                    {
                        continue;
                    }
                }
            }

            rows.Add(new StructureRow(label.Value, label.Name, label.Color, volume, mean));
        }

        return new JobViewerModel(jobId, Url(VolumeFile), Url(PipelineSegmentationRunner.MultilabelFile), rows);
    }

    /// <summary>The label values that occur in a label map (one pass over its voxels).</summary>
    private static HashSet<int> PresentLabels(string labelMapPath)
    {
        var volume = NiftiReader.Read(labelMapPath).Volume;
        var seen = new HashSet<int>();
        if (volume is Volume<byte> bytes)
        {
            // The server writes uint8 label maps: a 256-entry table, no per-voxel hashing.
            Span<bool> found = stackalloc bool[256];
            foreach (byte b in bytes.Data)
            {
                found[b] = true;
            }

            for (int v = 1; v < 256; v++)
            {
                if (found[v])
                {
                    seen.Add(v);
                }
            }

            return seen;
        }

        for (long i = 0; i < volume.Shape.VoxelCount; i++)
        {
            seen.Add((int)volume.GetValue(i));
        }

        return seen;
    }

    /// <summary>TotalSegmentator's statistics.json: <c>{"liver": {"volume": mm³, "intensity": mean}, …}</c>.</summary>
    /// <exception cref="ImageFormatException">Not JSON of that shape.</exception>
    public static Dictionary<string, (double VolumeMm3, double? Mean)> ReadStatistics(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            var result = new Dictionary<string, (double, double?)>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                double volume = entry.Value.TryGetProperty("volume", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
                double? mean = entry.Value.TryGetProperty("intensity", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetDouble() : null;
                result[entry.Name] = (volume, mean);
            }

            return result;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ImageFormatException(path, $"statistics.json is not {{name: {{volume, intensity}}}}: {e.Message}", e);
        }
    }

    private static JobViewerModel Empty(Guid jobId, string problem) => new(jobId, "", "", [], problem);
}
