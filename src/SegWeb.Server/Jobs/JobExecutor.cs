using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Inputs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Jobs;

/// <summary>
/// The Hangfire job: runs one segmentation job by id and moves its record queued → running → succeeded / failed /
/// canceled. Idempotent: a job already final, or running in this process, is not run again; a job whose results were
/// published before a crash is marked succeeded without running again. Across processes sharing the database, a run
/// starts only after this worker claimed the job row (<see cref="JobLeases"/>), so one job never runs twice at once. Results are written to a private work folder and
/// published with one rename, so a crash never leaves half a result set visible.
/// </summary>
public sealed partial class JobExecutor(
    JobStore store,
    JobFolders folders,
    FileStore files,
    RunningJobs running,
    JobLeases leases,
    IBackgroundJobClient hangfire,
    ISegmentationRunner runner,
    IOptions<JobExecutionOptions> options,
    IServiceScopeFactory scopes,
    ILogger<JobExecutor> logger)
{
    /// <summary>Hangfire's name for the retry counter it keeps on a job.</summary>
    private const string RetryCountParameter = "RetryCount";

    /// <summary>
    /// Runs the job. Hangfire passes its <see cref="PerformContext"/> (for the retry count) and a token that fires at
    /// server shutdown. Returns normally for every final outcome; throws only for a transient failure that still has
    /// retries left, so that Hangfire's <c>AutomaticRetry</c> runs it again.
    /// </summary>
    public async Task ExecuteAsync(Guid jobId, PerformContext? context, CancellationToken shutdown)
    {
        if (!running.TryStart(jobId, out var run))
        {
            LogAlreadyRunning(jobId);
            return;
        }

        int attempt = (context?.GetJobParameter<int>(RetryCountParameter) ?? 0) + 1;
        try
        {
            await RunAsync(jobId, attempt, run.Cancellation.Token, shutdown);
        }
        catch (Exception ex) when (attempt > options.Value.RetryAttempts && !shutdown.IsCancellationRequested)
        {
            // Something outside the runner (SQLite, the file system) failed on the last attempt: Hangfire would drop the
            // job and leave the record running until the next restart, so record the failure now if we can.
            LogFailed(ex, jobId);
            await FailAsync(jobId, $"{JobFailures.Describe(ex)} (after {attempt} attempts)");
        }
        finally
        {
            running.Finish(jobId, run);
        }
    }

    private async Task RunAsync(Guid jobId, int attempt, CancellationToken cancel, CancellationToken shutdown)
    {
        var job = await store.FindAsync(jobId, CancellationToken.None);
        if (job is null || job.State.IsFinal())
        {
            LogNothingToDo(jobId, job?.State.ToString() ?? "deleted");
            return;
        }

        // Hangfire's retry counter starts over in a new process (in-memory storage), but an attempt a crash or a
        // shutdown interrupted still happened: the record's count is the one that survives, so count on from it.
        attempt = Math.Max(attempt, job.Attempts + 1);

        // The claim comes first: until it succeeds the job's folder may belong to another worker's live run.
        if (!await leases.TryClaimAsync(jobId, attempt, CancellationToken.None))
        {
            await RecheckLaterAsync(jobId);
            return;
        }

        using var stopKeeping = new CancellationTokenSource();
        using var leaseLost = new CancellationTokenSource();
        var keeping = leases.KeepAsync(jobId, leaseLost, stopKeeping.Token);
        try
        {
            await RunClaimedAsync(job, attempt, cancel, shutdown, leaseLost.Token);
        }
        finally
        {
            await stopKeeping.CancelAsync();
            await keeping;
        }
    }

    /// <summary>
    /// Another worker holds the job: if its lease lapses (it died), the job must still run, so look again just after the
    /// lease's expiry. A live holder keeps renewing, and the job is final by the time a look finds nothing to do.
    /// </summary>
    private async Task RecheckLaterAsync(Guid jobId)
    {
        var job = await store.FindAsync(jobId, CancellationToken.None);
        if (job is null || job.State.IsFinal())
        {
            LogNothingToDo(jobId, job?.State.ToString() ?? "deleted");
            return;
        }

        var expires = job.LeaseExpiresAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : DateTime.UtcNow;
        var delay = TimeSpan.FromSeconds(Math.Max(1, (expires - DateTime.UtcNow).TotalSeconds + 1));
        hangfire.Schedule<JobExecutor>(x => x.ExecuteAsync(jobId, null, CancellationToken.None), delay);
        LogHeldElsewhere(jobId, job.LeaseOwner ?? "?", delay.TotalSeconds);
    }

    private async Task RunClaimedAsync(JobRecord job, int attempt, CancellationToken cancel, CancellationToken shutdown, CancellationToken leaseLost)
    {
        Guid jobId = job.Id;
        folders.DeleteWorkFolders(jobId);
        if (Directory.Exists(folders.ResultsFolder(jobId)))
        {
            // Published before a crash stopped the record's update: the results are complete (one rename), keep them.
            await SucceedAsync(jobId, folders.PublishedFiles(jobId), null, []);
            return;
        }

        var context = await ContextAsync(job, attempt);
        if (context is null)
        {
            await FailAsync(jobId, $"the input {job.InputId} no longer exists");
            return;
        }

        LogStarted(jobId, attempt);
        var timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, shutdown, timer.Token, leaseLost);
        var recorder = new JobProgressRecorder(jobId, store, TimeSpan.FromMilliseconds(options.Value.ProgressWriteMilliseconds));
        JobOutputs outputs;
        IReadOnlyList<string> published;
        try
        {
            outputs = await runner.RunAsync(context, recorder, linked.Token);
            linked.Token.ThrowIfCancellationRequested();
            published = Publish(jobId, context.OutputFolder, outputs);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            FolderCleanup(context.OutputFolder);
            await FinishAsync(jobId, JobState.Canceled, "canceled", null, recorder);
            LogCanceled(jobId);
            return;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // The server is stopping: the record stays running, and start-up enqueues it again; the lease is handed
            // back so that another worker need not wait for it to expire.
            FolderCleanup(context.OutputFolder);
            await store.UpdateAsync(jobId, JobLeases.Release);
            throw;
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            // Another worker owns the job now (this one stalled past its lease): leave the record to it.
            FolderCleanup(context.OutputFolder);
            LogLeaseLost(jobId);
            return;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            FolderCleanup(context.OutputFolder);
            await FinishAsync(jobId, JobState.Failed, "failed", $"timed out after {timeout}", recorder);
            return;
        }
        catch (Exception ex) when (!JobFailures.IsTransient(ex))
        {
            FolderCleanup(context.OutputFolder);
            await FinishAsync(jobId, JobState.Failed, "failed", JobFailures.Describe(ex), recorder);
            LogFailed(ex, jobId);
            return;
        }
        catch (Exception ex)
        {
            FolderCleanup(context.OutputFolder);
            int maxAttempts = options.Value.RetryAttempts + 1;
            if (attempt >= maxAttempts)
            {
                await FinishAsync(jobId, JobState.Failed, "failed", $"{JobFailures.Describe(ex)} (after {attempt} attempts)", recorder);
                LogFailed(ex, jobId);
                return;
            }

            var (_, warnings) = recorder.Finish();
            await store.UpdateAsync(jobId, j =>
            {
                // The next attempt starts over, so its progress does too (the events stream shows the drop honestly).
                j.Stage = "retrying";
                j.Progress = 0;
                JobLeases.Release(j);
                JobStore.AddWarnings(j, [.. warnings, $"attempt {attempt} failed, retrying: {JobFailures.Describe(ex)}"]);
            });
            LogRetrying(ex, jobId, attempt);
            throw;
        }

        var (timings, runWarnings) = recorder.Finish();
        if (!await SucceedAsync(jobId, published, timings, [.. runWarnings, .. outputs.Warnings ?? []]))
        {
            // Deleted while it ran: its files go too.
            folders.DeleteJob(jobId);
        }
    }

    private async Task<JobContext?> ContextAsync(JobRecord job, int attempt)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var input = await db.Inputs.AsNoTracking().Include(i => i.Files).FirstOrDefaultAsync(i => i.Id == job.InputId);
        if (input is null)
        {
            return null;
        }

        var request = JsonSerializer.Deserialize<JobRequest>(job.OptionsJson, InputView.Json)
            ?? throw new InvalidOperationException($"job {job.Id} has no options");
        var description = input.DescriptionJson is null ? null : JsonSerializer.Deserialize<InputDescription>(input.DescriptionJson, InputView.Json);
        var inputFiles = input.Files.Select(f => files.InputFilePath(input.Id, f.Id)).ToList();
        return new JobContext(job.Id, job.OwnerId, request, inputFiles, description, folders.NewWorkFolder(job.Id), attempt);
    }

    private IReadOnlyList<string> Publish(Guid jobId, string workFolder, JobOutputs outputs)
    {
        // Every declared output must be a file inside the work folder: a runner bug must not publish a partial set.
        var root = Path.GetFullPath(workFolder) + Path.DirectorySeparatorChar;
        foreach (var file in outputs.Files)
        {
            var full = Path.GetFullPath(Path.Combine(workFolder, file));
            if (!full.StartsWith(root, StringComparison.Ordinal) || !File.Exists(full))
            {
                throw new InvalidOperationException($"job {jobId}: the runner declared the output '{file}' but did not write it in its output folder");
            }
        }

        folders.Publish(jobId, workFolder);
        return folders.PublishedFiles(jobId);
    }

    private async Task<bool> SucceedAsync(Guid jobId, IReadOnlyList<string> published, string? timings, IReadOnlyList<string> warnings)
    {
        bool found = await store.UpdateAsync(jobId, j =>
        {
            j.State = JobState.Succeeded;
            j.Stage = "done";
            j.Progress = 1;
            j.Error = null;
            j.FinishedAt = DateTime.UtcNow;
            j.StageTimingsJson = timings ?? j.StageTimingsJson;
            j.OutputsJson = JsonSerializer.Serialize(published, JobStore.Json);
            JobStore.AddWarnings(j, warnings);
            JobLeases.Release(j);
        });
        if (found)
        {
            LogSucceeded(jobId, published.Count);
        }

        return found;
    }

    private Task FailAsync(Guid jobId, string error) => store.UpdateAsync(jobId, j =>
    {
        j.State = JobState.Failed;
        j.Stage = "failed";
        j.Error = error;
        j.FinishedAt = DateTime.UtcNow;
        JobLeases.Release(j);
    });

    private async Task FinishAsync(Guid jobId, JobState state, string stage, string? error, JobProgressRecorder recorder)
    {
        var (timings, warnings) = recorder.Finish();
        if (!await store.UpdateAsync(jobId, j =>
            {
                j.State = state;
                j.Stage = stage;
                j.Error = error;
                j.FinishedAt = DateTime.UtcNow;
                j.StageTimingsJson = timings;
                JobStore.AddWarnings(j, warnings);
                JobLeases.Release(j);
            }))
        {
            folders.DeleteJob(jobId);
        }
    }

    private static void FolderCleanup(string workFolder) => JobFolders.DeleteQuietly(workFolder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} started")]
    private partial void LogStarted(Guid jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} succeeded with {Count} result files")]
    private partial void LogSucceeded(Guid jobId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} canceled")]
    private partial void LogCanceled(Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed")]
    private partial void LogFailed(Exception ex, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt} failed with a transient error; it will be retried")]
    private partial void LogRetrying(Exception ex, Guid jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} is already running in this process; the duplicate run does nothing")]
    private partial void LogAlreadyRunning(Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} is held by the worker {Owner}; looking again in {Seconds:F0} s")]
    private partial void LogHeldElsewhere(Guid jobId, string owner, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: this worker lost its lease to another; it stops without writing the record")]
    private partial void LogLeaseLost(Guid jobId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} is {State}: nothing to run")]
    private partial void LogNothingToDo(Guid jobId, string state);
}
