using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Accounts;
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

    public static IEndpointRouteBuilder MapJobResultEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        group.MapGet("/{id:guid}/results", List);
        group.MapGet("/{id:guid}/results/{name}", Download);
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
        Guid id, string name, ClaimsPrincipal user, SegWebDbContext db, JobFolders folders, CancellationToken ct)
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

        return TypedResults.PhysicalFile(path, ContentType(output!), fileDownloadName: output, enableRangeProcessing: true);
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
        : "application/octet-stream";
}
