using System.Diagnostics;
using System.Text.Json;

namespace SegWeb.Server.Jobs;

/// <summary>
/// Receives a runner's progress reports: keeps per-stage timings and warnings, and writes stage and fraction to the job
/// record (at once on a stage change, otherwise at most every <see cref="JobExecutionOptions.ProgressWriteMilliseconds"/>)
/// so that GET and the events stream see them, from this process or another.
/// </summary>
internal sealed class JobProgressRecorder(Guid jobId, JobStore store, TimeSpan writeInterval) : IProgress<JobProgress>
{
    private readonly Lock _lock = new();
    private readonly List<JobStageTiming> _timings = [];
    private readonly List<string> _warnings = [];
    private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
    private readonly Stopwatch _stageClock = new();
    private string? _stage;
    private double _fraction;
    private bool _dirty;

    public void Report(JobProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            bool newStage = !string.Equals(value.Stage, _stage, StringComparison.Ordinal);
            if (newStage)
            {
                CloseStage();
                _stage = value.Stage;
                _stageClock.Restart();
            }

            // Progress only moves forward: a runner's sub-steps may report a lower figure, the client must not see it go back.
            double fraction = double.IsNaN(value.Fraction) ? _fraction : Math.Clamp(value.Fraction, 0, 1);
            _fraction = Math.Max(_fraction, fraction);
            if (value.Warning is { } w)
            {
                _warnings.Add(w);
            }

            _dirty = true;
            if (newStage || value.Warning is not null || _sinceWrite.Elapsed >= writeInterval)
            {
                WriteLocked();
            }
        }
    }

    /// <summary>Closes the current stage and returns the timings and warnings gathered.</summary>
    public (string TimingsJson, IReadOnlyList<string> Warnings) Finish()
    {
        lock (_lock)
        {
            CloseStage();
            _stage = null;
            return (JsonSerializer.Serialize(_timings, JobStore.Json), _warnings.ToList());
        }
    }

    /// <summary>Writes what is not yet written.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_dirty)
            {
                WriteLocked();
            }
        }
    }

    private void CloseStage()
    {
        if (_stage is not null)
        {
            _timings.Add(new JobStageTiming(_stage, Math.Round(_stageClock.Elapsed.TotalSeconds, 3)));
        }
    }

    private void WriteLocked()
    {
        string? stage = _stage;
        double fraction = _fraction;
        var timings = JsonSerializer.Serialize(_timings, JobStore.Json);
        store.Update(jobId, j =>
        {
            if (j.State == JobState.Running)
            {
                j.Stage = stage;
                j.Progress = fraction;
                j.StageTimingsJson = timings;
            }
        });
        _dirty = false;
        _sinceWrite.Restart();
    }
}
