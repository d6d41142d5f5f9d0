using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;
using SegWeb.Server.Components.Viewer;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Tests.Viewer;

public sealed class JobViewerDataTests
{
    private static readonly string[] AllOutputs = ["multilabel.nii.gz", "volume.nii.gz", "statistics.json"];

    [SkippableFact]
    public void Rows_come_from_the_label_table_and_statistics_json()
    {
        using var results = ResultsFolder(withStatistics: true);
        var jobId = Guid.NewGuid();
        var model = JobViewerData.FromResults(jobId, results.Path, AllOutputs);

        Assert.Null(model.Problem);
        Assert.Equal($"/api/v1/jobs/{jobId}/results/volume.nii.gz", model.VolumeUrl);
        Assert.Equal($"/api/v1/jobs/{jobId}/results/multilabel.nii.gz", model.LabelMapUrl);

        // The reference: the label table as SegWeb's NIfTI reader gives it and the JSON as System.Text.Json reads it.
        var names = MultilabelNifti.ReadLabelNames(NiftiReader.ReadHeader(results.File("multilabel.nii.gz")));
        using var stats = JsonDocument.Parse(File.ReadAllText(results.File("statistics.json")));
        // Listed: a class with a volume, or one reported as 0 that is in the label map all the same (TotalSegmentator
        // zeroes the statistics of a structure touching the first or last slice).
        var labelMap = NiftiReader.Read(results.File("multilabel.nii.gz")).Volume;
        var inMap = new HashSet<int>();
        for (long i = 0; i < labelMap.Shape.VoxelCount; i++)
        {
            inMap.Add((int)labelMap.GetValue(i));
        }

        var present = names.Where(kv => kv.Key > 0 && (inMap.Contains(kv.Key)
                || (stats.RootElement.TryGetProperty(kv.Value, out var s) && s.GetProperty("volume").GetDouble() > 0)))
            .Select(kv => kv.Key).Order().ToList();
        Assert.NotEmpty(present);
        Assert.True(present.Count < names.Count - 1, "some classes are absent and must not be listed");
        Assert.Equal(present, model.Structures.Select(s => s.Value));
        var zeroButPresent = model.Structures.Where(s => s.VolumeMl is null).Select(s => s.Name).ToList();
        Assert.All(zeroButPresent, name => Assert.Equal(0, stats.RootElement.GetProperty(name).GetProperty("volume").GetDouble()));

        var liver = model.Structures.Single(s => s.Name == "liver");
        var liverStats = stats.RootElement.GetProperty("liver");
        Assert.Equal(liverStats.GetProperty("volume").GetDouble() / 1000, liver.VolumeMl!.Value, 9);
        Assert.Equal(liverStats.GetProperty("intensity").GetDouble(), liver.MeanHu!.Value, 9);
        var (r, g, b) = StructurePalette.ColorOf("liver");
        Assert.Equal([r, g, b], liver.Color);
        Assert.Equal($"rgb({r} {g} {b})", liver.CssColor);
        Assert.Equal(model.Structures.Count, model.Labels.Count);
    }

    [SkippableFact]
    public void Without_statistics_every_labelled_class_is_listed_with_no_figures()
    {
        using var results = ResultsFolder(withStatistics: false);
        var model = JobViewerData.FromResults(Guid.NewGuid(), results.Path, ["multilabel.nii.gz", "volume.nii.gz"]);
        var names = MultilabelNifti.ReadLabelNames(NiftiReader.ReadHeader(results.File("multilabel.nii.gz")));
        Assert.Equal(names.Keys.Where(k => k > 0).Order(), model.Structures.Select(s => s.Value));
        Assert.All(model.Structures, s => Assert.Null(s.VolumeMl));
    }

    [SkippableFact]
    public void A_missing_volume_or_label_map_is_a_problem_not_an_exception()
    {
        using var results = ResultsFolder(withStatistics: true);
        var noVolume = JobViewerData.FromResults(Guid.NewGuid(), results.Path, ["multilabel.nii.gz", "statistics.json"]);
        Assert.Contains("volume.nii.gz", noVolume.Problem, StringComparison.Ordinal);
        File.Delete(results.File("multilabel.nii.gz"));
        var noLabels = JobViewerData.FromResults(Guid.NewGuid(), results.Path, AllOutputs);
        Assert.Contains("multilabel.nii.gz", noLabels.Problem, StringComparison.Ordinal);
        Assert.Empty(noLabels.Structures);
    }

    [SkippableFact]
    public void Malformed_statistics_json_is_an_ImageFormatException_naming_the_file()
    {
        using var results = ResultsFolder(withStatistics: true);
        File.WriteAllText(results.File("statistics.json"), "{\"liver\": {\"volume\": ");
        var e = Assert.Throws<ImageFormatException>(() => JobViewerData.FromResults(Guid.NewGuid(), results.Path, AllOutputs));
        Assert.StartsWith(results.File("statistics.json") + ":", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Another_users_job_or_an_unfinished_one_is_not_shown()
    {
        using var data = new TempDirectory("segweb-viewer-data");
        using var server = new SegWebServer(data.Path);
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var folders = scope.ServiceProvider.GetRequiredService<JobFolders>();
        var done = NewJob("owner-a", JobState.Succeeded);
        var running = NewJob("owner-a", JobState.Running);
        // Only the ownership filter is under test: no real users and inputs behind these rows, so this connection
        // does without SQLite's foreign keys.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
        db.Jobs.AddRange(done, running);
        await db.SaveChangesAsync();
        using (var source = ResultsFolder(withStatistics: true))
        {
            Directory.CreateDirectory(folders.ResultsFolder(done.Id));
            foreach (var f in AllOutputs)
            {
                File.Copy(source.File(f), Path.Combine(folders.ResultsFolder(done.Id), f));
            }
        }

        var mine = await JobViewerData.LoadAsync(db, folders, done.Id, "owner-a", CancellationToken.None);
        Assert.Null(mine.Problem);
        Assert.NotEmpty(mine.Structures);
        var theirs = await JobViewerData.LoadAsync(db, folders, done.Id, "owner-b", CancellationToken.None);
        Assert.Equal($"job {done.Id} not found", theirs.Problem);
        Assert.Empty(theirs.Structures);
        var unfinished = await JobViewerData.LoadAsync(db, folders, running.Id, "owner-a", CancellationToken.None);
        Assert.Contains("running", unfinished.Problem, StringComparison.Ordinal);
    }

    private static JobRecord NewJob(string owner, JobState state) => new()
    {
        Id = Guid.NewGuid(),
        OwnerId = owner,
        InputId = Guid.NewGuid(),
        State = state,
        OptionsJson = "{}",
        CreatedAt = DateTime.UtcNow,
        OutputsJson = state == JobState.Succeeded ? JsonSerializer.Serialize(AllOutputs) : null,
    };

    /// <summary>A results folder as the pipeline leaves it: the official example segmentation and its CT, and statistics.</summary>
    private static TempDirectory ResultsFolder(bool withStatistics)
    {
        string ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        string seg = TestData.Require("totalsegmentator/example_seg.nii.gz");
        string stats = TestData.Require("totalsegmentator/example_seg_fast/statistics.json");
        var folder = new TempDirectory("segweb-viewer-results");
        File.Copy(ct, folder.File("volume.nii.gz"));
        File.Copy(seg, folder.File("multilabel.nii.gz"));
        if (withStatistics)
        {
            File.Copy(stats, folder.File("statistics.json"));
        }

        return folder;
    }
}
