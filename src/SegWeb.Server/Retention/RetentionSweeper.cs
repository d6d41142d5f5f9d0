using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;
using SegWeb.Server.Uploads;

namespace SegWeb.Server.Retention;

/// <summary>What one sweep deleted.</summary>
public sealed record RetentionResult(int Inputs, int Jobs, int Uploads);

/// <summary>
/// The retention job (Hangfire recurring job <see cref="RetentionServices.RecurringJobId"/>): deletes inputs, jobs and
/// results whose <c>ExpiresAt</c> has passed, and tus uploads left unfinished past theirs (<c>IncompleteUploadHours</c>).
/// Rows go first, then files, so that a crash in between leaves only files without rows, which the start-up sweep removes.
/// </summary>
public sealed partial class RetentionSweeper(
    SegWebDbContext db, FileStore files, JobFolders jobFolders, IJobQueue queue, IJobNotifier notifier, UploadLocks uploadLocks, ILogger<RetentionSweeper> logger)
{
    /// <summary>The entry point Hangfire calls. A failure is logged here (Hangfire's own log is not wired to ILogger) and rethrown for its retry.</summary>
    public async Task<RetentionResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await SweepAsync(DateTime.UtcNow, cancellationToken);
        }
        catch (Exception ex)
        {
            LogFailed(ex);
            throw;
        }
    }

    /// <summary>Deletes what expired before <paramref name="now"/> (UTC).</summary>
    public async Task<RetentionResult> SweepAsync(DateTime now, CancellationToken cancellationToken)
    {
        int jobs = 0;

        // Expired inputs take their jobs with them (the rows cascade); running ones are stopped first.
        var inputs = await db.Inputs.Where(i => i.ExpiresAt < now).ToListAsync(cancellationToken);
        foreach (var input in inputs)
        {
            var inputJobs = await db.Jobs.Where(j => j.InputId == input.Id).ToListAsync(cancellationToken);
            jobs += await DeleteJobsAsync(inputJobs);
            db.Inputs.Remove(input);
            await db.SaveChangesAsync(CancellationToken.None);
            files.DeleteInput(input.Id);
        }

        // Expired jobs of inputs still kept. A job still queued or running is left to finish; the next sweep takes it.
        var expiredJobs = await db.Jobs
            .Where(j => j.ExpiresAt < now && j.State != JobState.Queued && j.State != JobState.Running)
            .ToListAsync(cancellationToken);
        jobs += await DeleteJobsAsync(expiredJobs);

        int uploads = 0;
        var staleUploads = await db.Uploads.Where(u => u.ExpiresAt < now).ToListAsync(cancellationToken);
        foreach (var upload in staleUploads)
        {
            // A PATCH writing right now holds the lock: leave that upload to the next sweep.
            using var held = await uploadLocks.TryTakeAsync(upload.Id, TimeSpan.Zero);
            if (held is null)
            {
                continue;
            }

            db.Uploads.Remove(upload);
            await db.SaveChangesAsync(CancellationToken.None);
            if (upload.ResultInputId is null)
            {
                // Unfinished: its .part file goes too. A finished one's file is now an input's, kept by the input's expiry.
                FileStore.DeleteQuietly(files.UploadPath(upload.Id));
                uploads++;
            }
        }

        var result = new RetentionResult(inputs.Count, jobs, uploads);
        if (result != new RetentionResult(0, 0, 0))
        {
            LogSwept(result.Inputs, result.Jobs, result.Uploads);
        }

        return result;
    }

    private async Task<int> DeleteJobsAsync(List<JobRecord> jobs)
    {
        foreach (var job in jobs)
        {
            if (!job.State.IsFinal())
            {
                await queue.CancelAsync(job.Id, CancellationToken.None);
            }

            db.Jobs.Remove(job);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        foreach (var job in jobs)
        {
            jobFolders.DeleteJob(job.Id);
            notifier.Deleted(job.Id, job.OwnerId);
        }

        return jobs.Count;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention: the sweep failed; Hangfire retries it")]
    private partial void LogFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Inputs} expired inputs, {Jobs} jobs with their results and {Uploads} unfinished uploads")]
    private partial void LogSwept(int inputs, int jobs, int uploads);
}
