using System.Collections.Concurrent;
using SegWeb.Imaging;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Tests.JobExecution;

/// <summary>
/// TEST DOUBLE for <see cref="ISegmentationRunner"/>: the real runner (the segmentation pipeline) is written in another
/// branch. This one follows a script chosen by the job's "task" option, so one server can exercise every outcome.
/// </summary>
internal sealed class ScriptedRunner : ISegmentationRunner
{
    private readonly ConcurrentDictionary<Guid, int> _calls = new();

    /// <summary>Opened by the test to let a "gated" job go on.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a "block" job sees its cancellation.</summary>
    public TaskCompletionSource SawCancellation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls(Guid jobId) => _calls.GetValueOrDefault(jobId);

    public int TotalCalls => _calls.Values.Sum();

    public async Task<JobOutputs> RunAsync(JobContext context, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        int call = _calls.AddOrUpdate(context.JobId, 1, (_, n) => n + 1);
        // The record counts attempts across restarts, so a runner in a restarted server may see a later attempt than its
        // own call count; within one process each call is one more attempt.
        Assert.True(context.Attempt >= call, $"attempt {context.Attempt} on call {call}");
        Assert.True(Directory.Exists(context.OutputFolder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(context.OutputFolder));
        Assert.All(context.InputFiles, f => Assert.True(File.Exists(f), f));
        progress.Report(new JobProgress("loading", 0.05));
        switch (context.Request.Task)
        {
            case "gated":
                await File.WriteAllTextAsync(Path.Combine(context.OutputFolder, "labels.txt"), "half", cancellationToken);
                await Release.Task.WaitAsync(cancellationToken);
                for (int i = 1; i <= 5; i++)
                {
                    await Task.Delay(80, cancellationToken);
                    progress.Report(new JobProgress("inference", 0.05 + (0.9 * i / 5)));
                }

                progress.Report(new JobProgress("writing", 0.97, "a remark"));
                await File.WriteAllTextAsync(Path.Combine(context.OutputFolder, "labels.txt"), "liver=1", cancellationToken);
                Directory.CreateDirectory(Path.Combine(context.OutputFolder, "sub"));
                await File.WriteAllTextAsync(Path.Combine(context.OutputFolder, "sub", "stats.json"), "{}", cancellationToken);
                return new JobOutputs(["labels.txt", "sub/stats.json"]);
            case "corrupt":
                throw new ImageFormatException(context.InputFiles[0], "truncated gzip stream");
            case "flaky":
                if (call < 3)
                {
                    throw new IOException($"disk busy (call {call})");
                }

                await File.WriteAllTextAsync(Path.Combine(context.OutputFolder, "ok.txt"), "ok", cancellationToken);
                return new JobOutputs(["ok.txt"]);
            case "io-always":
                throw new IOException("disk gone");
            case "block":
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    SawCancellation.TrySetResult();
                    throw;
                }

                break;
            case "lying":
                return new JobOutputs(["never-written.nii.gz"]);
            default:
                await File.WriteAllTextAsync(Path.Combine(context.OutputFolder, "ok.txt"), context.Request.Task, cancellationToken);
                return new JobOutputs(["ok.txt"]);
        }

        throw new InvalidOperationException("unreachable");
    }
}
