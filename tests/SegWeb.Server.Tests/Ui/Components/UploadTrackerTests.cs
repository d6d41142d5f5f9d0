using SegWeb.Server.Components.Upload;

namespace SegWeb.Server.Tests.Ui.Components;

/// <summary>The upload panel's state rules: speed, time left, resumes, cancel and failure.</summary>
public sealed class UploadTrackerTests
{
    private const long Mb = 1_000_000;

    [Fact]
    public void Speed_is_the_slope_over_the_last_five_seconds_and_time_left_follows_from_it()
    {
        var clock = new ManualClock();
        var tracker = new UploadTracker(clock);
        var item = tracker.Start("a", "ct.nii.gz", 100 * Mb, 1);
        Assert.Null(item.BytesPerSecond);
        Assert.Null(item.TimeLeft);

        // 2 MB/s for 10 s, then 10 MB/s for 6 s: the window (5 s) sees only the fast part.
        for (int s = 1; s <= 10; s++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            tracker.Progress("a", s * 2 * Mb);
        }

        Assert.Equal(2 * Mb, item.BytesPerSecond!.Value, 3);
        Assert.Equal(TimeSpan.FromSeconds(40), item.TimeLeft);
        for (int s = 1; s <= 6; s++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            tracker.Progress("a", (20 + (s * 10)) * Mb);
        }

        Assert.Equal(10 * Mb, item.BytesPerSecond!.Value, 3);
        Assert.Equal(80 * Mb, item.SentBytes);
        Assert.Equal(0.8, item.Fraction, 9);
        Assert.Equal(TimeSpan.FromSeconds(2), item.TimeLeft);
        Assert.Equal("10.0 MB/s", UploadTracker.FormatSpeed(item.BytesPerSecond));
        Assert.Equal("2 s", UploadTracker.FormatTimeLeft(item.TimeLeft));
    }

    [Fact]
    public void A_resume_from_a_lower_server_offset_restarts_the_speed_window_instead_of_showing_a_negative_speed()
    {
        var clock = new ManualClock();
        var tracker = new UploadTracker(clock);
        var item = tracker.Start("a", "ct.nii.gz", 100 * Mb, 1);
        clock.Advance(TimeSpan.FromSeconds(1));
        tracker.Progress("a", 40 * Mb);

        // The network dropped; tus asked the server (HEAD) and continues from its offset, below what was reported.
        clock.Advance(TimeSpan.FromSeconds(1));
        tracker.Progress("a", 30 * Mb);
        Assert.Equal(30 * Mb, item.SentBytes);
        Assert.True(item.BytesPerSecond is null or >= 0, $"speed {item.BytesPerSecond}");
        clock.Advance(TimeSpan.FromSeconds(2));
        tracker.Progress("a", 38 * Mb);
        Assert.Equal(4 * Mb, item.BytesPerSecond!.Value, 3);
    }

    [Fact]
    public void Cancel_makes_later_callbacks_for_the_upload_no_ops_and_is_refused_once_finished()
    {
        var tracker = new UploadTracker(new ManualClock());
        var item = tracker.Start("a", "folder", 10 * Mb, 20);
        Assert.True(tracker.Cancel("a"));
        tracker.Progress("a", 5 * Mb);
        tracker.Failed("a", "aborted");
        Assert.Null(tracker.InputReady("a", Guid.NewGuid()));
        Assert.Equal(UploadState.Canceled, item.State);
        Assert.Equal(0, item.SentBytes);
        Assert.Null(item.Error);

        var done = tracker.Start("b", "ct.nii.gz", 10, 1);
        tracker.Uploaded("b");
        Assert.NotNull(tracker.InputReady("b", Guid.NewGuid()));
        tracker.JobCreated("b", Guid.NewGuid());
        Assert.False(tracker.Cancel("b"));
        Assert.Equal(UploadState.JobCreated, done.State);
    }

    [Fact]
    public void Uploaded_fills_the_bar_and_a_failure_keeps_the_servers_message()
    {
        var tracker = new UploadTracker(new ManualClock());
        int changes = 0;
        tracker.Changed += () => changes++;
        var item = tracker.Start("a", "x.jpg", 1000, 1);
        tracker.Uploaded("a");
        Assert.Equal(1.0, item.Fraction);
        Assert.Equal(UploadState.Processing, item.State);
        Assert.Null(item.TimeLeft);
        tracker.Failed("a", "x.jpg: not a NIfTI file, a DICOM file or a zip of DICOM files");
        Assert.Equal(UploadState.Failed, item.State);
        Assert.Contains("not a NIfTI file", item.Error, StringComparison.Ordinal);
        Assert.Equal(3, changes);

        tracker.ClearFinished();
        Assert.Empty(tracker.Items);
    }

    [Theory]
    [InlineData(0.4, "1 s")]
    [InlineData(42, "42 s")]
    [InlineData(185, "3 min 05 s")]
    [InlineData(3720, "1 h 02 min")]
    public void Time_left_reads_like_a_person_would_say_it(double seconds, string expected) =>
        Assert.Equal(expected, UploadTracker.FormatTimeLeft(TimeSpan.FromSeconds(seconds)));
}
