using SegWeb.Cli.Commands;
using SegWeb.Inference.Progress;

namespace SegWeb.Cli.Tests;

/// <summary>The terminal bar's text, and the plain lines used whenever stderr is not the console.</summary>
public sealed class SegmentProgressTests
{
    [Fact]
    public void Bar_shows_stage_fill_percent_and_eta()
    {
        var line = ProgressBar.Format(new InferenceProgress("predict", 0.5, TimeSpan.FromSeconds(72)), null, 80);

        Assert.Equal("segweb: predict [####################....................]  50% ETA 1:12", line);
        Assert.True(line.Length <= 79);
    }

    [Theory]
    [InlineData(0.0, null, "segweb: read [........................................]   0%")]
    [InlineData(1.0, 5.0, "segweb: export [########################################] 100%")]
    [InlineData(0.999, 0.4, "segweb: export [#######################################.]  99% ETA 0:01")]
    public void Bar_edges(double fraction, double? etaSeconds, string expected)
    {
        var stage = expected.Split(' ')[1];
        TimeSpan? eta = etaSeconds is double s ? TimeSpan.FromSeconds(s) : null;
        Assert.Equal(expected, ProgressBar.Format(new InferenceProgress(stage, fraction, eta), null, 120));
    }

    [Fact]
    public void Bar_shrinks_to_the_terminal_and_keeps_the_input_label()
    {
        var line = ProgressBar.Format(new InferenceProgress("predict", 0.25, TimeSpan.FromHours(1.5)), "[2/3 b]", 60);

        Assert.Equal("segweb: [2/3 b] predict [####............]  25% ETA 1:30:00", line);
        Assert.Equal(59, line.Length);
        var narrow = ProgressBar.Format(new InferenceProgress("predict", 0.25, null), "[2/3 b]", 20);
        Assert.True(narrow.Length <= 19, narrow);
        Assert.StartsWith("segweb: [2/3 b]", narrow, StringComparison.Ordinal);
    }

    [Fact]
    public void Bar_redraws_one_line_with_carriage_returns_and_ends_it()
    {
        using var writer = new StringWriter();
        var bar = new ProgressBar(writer, null, 80);
        bar.Report(new InferenceProgress("read", 0, null));
        bar.Report(new InferenceProgress("read", 1, TimeSpan.Zero));
        bar.Finish();

        var text = writer.ToString();
        Assert.StartsWith("\rsegweb: read [", text, StringComparison.Ordinal);
        Assert.Contains("\rsegweb: read [########################################] 100%", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_warning_in_the_middle_of_a_bar_starts_on_its_own_line()
    {
        using var writer = new StringWriter();
        var bar = new ProgressBar(writer, null, 80);
        bar.Report(new InferenceProgress("normalize", 0.5, null));

        SegmentProgress.InterruptLine();
        writer.WriteLine("segweb: warning: something");
        bar.Report(new InferenceProgress("normalize", 1, TimeSpan.Zero));
        bar.Finish();

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("\rsegweb: normalize [", lines[0], StringComparison.Ordinal);
        Assert.Equal("segweb: warning: something", lines[1]);
        Assert.Contains("100%", lines[2], StringComparison.Ordinal);
        Assert.Null(ProgressBar.Active);
    }

    [Fact]
    public void A_writer_that_is_not_the_console_gets_plain_lines()
    {
        using var writer = new StringWriter();
        var progress = SegmentProgress.Create(writer, "[1/2 a]");
        Assert.IsType<ProgressLines>(progress);

        progress.Report(new InferenceProgress("read", 0, null));
        progress.Report(new InferenceProgress("read", 1, TimeSpan.Zero));
        for (int i = 1; i <= 20; i++)
        {
            progress.Report(new InferenceProgress("predict", i / 20.0, TimeSpan.FromSeconds(20 - i)));
        }

        progress.Finish();
        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("segweb: [1/2 a] read 100%", lines[0]);
        // A stage's first event after 0 % prints, then one line per further 10 %.
        Assert.Equal("segweb: [1/2 a] predict 5%, 19 s left", lines[1]);
        Assert.Equal("segweb: [1/2 a] predict 10%, 18 s left", lines[2]);
        Assert.Equal("segweb: [1/2 a] predict 100%", lines[^1]);
        Assert.Equal(12, lines.Length);
        Assert.DoesNotContain('\r', writer.ToString());
    }
}
