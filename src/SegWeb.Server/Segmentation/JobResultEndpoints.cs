using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SegWeb.Imaging.Nifti;
using SegWeb.Server.Accounts;
using SegWeb.Server.Components.Viewer;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// /api/v1/jobs/{id}/results: the list of a succeeded job's result files and their download (with HTTP range support,
/// so a viewer can stream a large NIfTI). Only names the job recorded as outputs are served, so a request can never
/// reach another file; another user's job is a 404 as everywhere else.
/// </summary>
public static class JobResultEndpoints
{
    /// <summary>One result file.</summary>
    /// <param name="Name">The file name (the last segment of its download URL).</param>
    /// <param name="Bytes">Its size.</param>
    /// <param name="Url">Where to download it.</param>
    public sealed record ResultFile(string Name, long Bytes, string Url);

    /// <summary>One class of the job's label map, for a viewer's legend and colour lookup table.</summary>
    /// <param name="Value">The label value in multilabel.nii.gz.</param>
    /// <param name="Name">The class name (TotalSegmentator's).</param>
    /// <param name="Color">Display colour, sRGB 0–255 (<see cref="StructurePalette"/>).</param>
    public sealed record LabelEntry(int Value, string Name, IReadOnlyList<int> Color);

    public static IEndpointRouteBuilder MapJobResultEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        group.MapGet("/{id:guid}/results", List);
        group.MapGet("/{id:guid}/results/{name}", Download);
        group.MapGet("/{id:guid}/labels", Labels);
        return app;
    }

    private static async Task<Results<Ok<List<ResultFile>>, NotFound, ProblemHttpResult>> List(
        Guid id, ClaimsPrincipal user, SegWebDbContext db, JobFolders folders, CancellationToken ct)
    {
        var (job, problem) = await FindAsync(id, user, db, ct);
        if (job is null)
        {
            return problem is null ? TypedResults.NotFound() : problem;
        }

        string results = folders.ResultsFolder(id);
        var files = Outputs(job)
            .Select(name => new FileInfo(Path.Combine(results, name)))
            .Where(f => f.Exists)
            .Select(f => new ResultFile(f.Name, f.Length, $"/api/v1/jobs/{id}/results/{Uri.EscapeDataString(f.Name)}"))
            .ToList();
        return TypedResults.Ok(files);
    }

    private static async Task<Results<PhysicalFileHttpResult, NotFound, ProblemHttpResult>> Download(
        Guid id, string name, ClaimsPrincipal user, SegWebDbContext db, JobFolders folders, Audit.AuditLog audit, HttpContext http, CancellationToken ct)
    {
        var (job, problem) = await FindAsync(id, user, db, ct);
        if (job is null)
        {
            return problem is null ? TypedResults.NotFound() : problem;
        }

        // Only a recorded output name, compared exactly: no path from the request ever reaches the file system.
        string? output = Outputs(job).FirstOrDefault(o => string.Equals(o, name, StringComparison.Ordinal));
        string? path = output is null ? null : Path.Combine(folders.ResultsFolder(id), output);
        if (path is null || !File.Exists(path))
        {
            return TypedResults.NotFound();
        }

        // A viewer streams a file in many range requests: only the whole file or its first range counts as a download.
        var range = http.Request.GetTypedHeaders().Range;
        if (range is null || range.Ranges.Any(r => r.From == 0))
        {
            await audit.RecordAsync(Audit.AuditActions.Download, "result", $"{id}/{output}");
        }

        return TypedResults.PhysicalFile(path, ContentType(output!), fileDownloadName: output, enableRangeProcessing: true);
    }

    /// <summary>The label table of a succeeded job's multilabel.nii.gz (its header extension), in label order, with colours.</summary>
    private static async Task<Results<Ok<List<LabelEntry>>, NotFound, ProblemHttpResult>> Labels(
        Guid id, ClaimsPrincipal user, SegWebDbContext db, JobFolders folders, CancellationToken ct)
    {
        var (job, problem) = await FindAsync(id, user, db, ct);
        if (job is null)
        {
            return problem is null ? TypedResults.NotFound() : problem;
        }

        string path = Path.Combine(folders.ResultsFolder(id), JobOutputSelection.Multilabel);
        if (!Outputs(job).Contains(JobOutputSelection.Multilabel) || !File.Exists(path))
        {
            return TypedResults.NotFound();
        }

        // The header only: the label table lives in its extension, the voxels are not needed.
        var names = MultilabelNifti.ReadLabelNames(NiftiReader.ReadHeader(path));
        // The viewer's palette, so the API and the viewer show a structure in the same colour.
        return TypedResults.Ok(StructurePalette.LabelsFor(names).Select(l => new LabelEntry(l.Value, l.Name, l.Color)).ToList());
    }

    private static async Task<(JobRecord? Job, ProblemHttpResult? Problem)> FindAsync(Guid id, ClaimsPrincipal user, SegWebDbContext db, CancellationToken ct)
    {
        string owner = user.UserId();
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.OwnerId == owner, ct);
        if (job is null)
        {
            return (null, null);
        }

        return job.State == JobState.Succeeded
            ? (job, null)
            : (null, TypedResults.Problem($"job {id} is {job.State.ToString().ToLowerInvariant()}: results exist only once it succeeded", statusCode: StatusCodes.Status409Conflict));
    }

    private static List<string> Outputs(JobRecord job) =>
        job.OutputsJson is null ? [] : JsonSerializer.Deserialize<List<string>>(job.OutputsJson, JobStore.Json) ?? [];

    private static string ContentType(string name) =>
        name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? "application/gzip"
        : name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? "application/zip"
        : name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json"
        : name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv"
        : name.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) ? "application/dicom"
        : name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "image/png"
        : "application/octet-stream";
}
