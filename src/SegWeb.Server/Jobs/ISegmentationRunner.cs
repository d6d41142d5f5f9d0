using SegWeb.Imaging;
using SegWeb.Server.Inputs;

namespace SegWeb.Server.Jobs;

/// <summary>
/// Does the work of one job: reads the input, segments it and writes the results into <see cref="JobContext.OutputFolder"/>.
/// The server runs jobs (Hangfire, <see cref="HangfireJobQueue"/>) only when an implementation is registered in DI;
/// without one, job creation answers 503. Implementations throw <see cref="SegWebException"/> (or a subclass such as
/// <see cref="ImageFormatException"/>) for a failure that a retry cannot fix, and honour the cancellation token.
/// </summary>
public interface ISegmentationRunner
{
    /// <summary>Runs the job, reporting progress, and returns what it wrote.</summary>
    Task<JobOutputs> RunAsync(JobContext context, IProgress<JobProgress> progress, CancellationToken cancellationToken);
}

/// <summary>Everything a runner needs to know about one job.</summary>
/// <param name="JobId">The job.</param>
/// <param name="OwnerId">The user who created it.</param>
/// <param name="Request">The options the client asked for.</param>
/// <param name="InputFiles">The input's stored files (absolute paths, server-generated names).</param>
/// <param name="Input">What validation found in the input, when known.</param>
/// <param name="OutputFolder">An empty folder private to this attempt: write results here, and only here. It is published
/// (renamed) as a whole when the run succeeds and deleted otherwise, so nothing half-written is ever visible.</param>
/// <param name="Attempt">1 for the first run, 2 for the first retry, …</param>
public sealed record JobContext(
    Guid JobId,
    string OwnerId,
    JobRequest Request,
    IReadOnlyList<string> InputFiles,
    InputDescription? Input,
    string OutputFolder,
    int Attempt);

/// <summary>A progress report: the current stage's name and the whole job's completed fraction (0 to 1).</summary>
/// <param name="Stage">"loading", "resampling", "inference", "writing", … (a new name starts a new stage timing).</param>
/// <param name="Fraction">Of the whole job, 0 to 1; values outside are clamped and a value below the last is ignored.</param>
/// <param name="Warning">A remark to keep with the job (shown in the API), or null.</param>
public sealed record JobProgress(string Stage, double Fraction, string? Warning = null);

/// <summary>What a successful run wrote.</summary>
/// <param name="Files">Paths relative to <see cref="JobContext.OutputFolder"/> of the result files; each must exist.</param>
/// <param name="Warnings">Remarks to keep with the job.</param>
public sealed record JobOutputs(IReadOnlyList<string> Files, IReadOnlyList<string>? Warnings = null);
