using System.Globalization;
using System.Text;
using SegWeb.Inference.Progress;

namespace SegWeb.Cli.Commands;

/// <summary>
/// Progress for `segweb segment` on stderr: on a terminal one line that redraws itself (stage, bar, %, ETA); when
/// stderr is redirected (a log, a pipe, a test) plain lines, one per finished stage and per 10 % of the prediction.
/// </summary>
internal static class SegmentProgress
{
    /// <summary>
    /// The reporter for one scan. <paramref name="label"/> (e.g. "[2/3 b.nii.gz]") prefixes every line when several
    /// scans run in one call. The bar is used only when <paramref name="error"/> is the process's own stderr and that is a terminal.
    /// </summary>
    public static IFinishableProgress Create(TextWriter error, string? label)
    {
        ArgumentNullException.ThrowIfNull(error);
        bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        return terminal ? new ProgressBar(error, label, SafeWidth()) : new ProgressLines(error, label);
    }

    /// <summary>
    /// Ends a bar line being drawn, so a warning printed in the middle of a stage starts on its own line (the bar then
    /// redraws below it). Does nothing when no bar is on screen.
    /// </summary>
    public static void InterruptLine() => ProgressBar.Active?.Finish();

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}

/// <summary>A progress reporter that may need to close its output (the bar ends its line).</summary>
internal interface IFinishableProgress : IProgress<InferenceProgress>
{
    /// <summary>Ends the display so the next line of output starts on a fresh line.</summary>
    void Finish();
}

/// <summary>Plain progress lines (when a stage finishes, and per 10 % of the prediction), for logs and pipes.</summary>
internal sealed class ProgressLines(TextWriter error, string? label) : IFinishableProgress
{
    private readonly string _prefix = label is null ? "segweb: " : $"segweb: {label} ";
    private string? _stage;
    private int _tenth = -1;

    public void Report(InferenceProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // A stage's opening 0 % is not printed, so input that fails to read stays a single error line.
        int tenth = (int)Math.Floor(value.Fraction * 10);
        if (value.Fraction == 0 || (value.Stage == _stage && tenth == _tenth))
        {
            return;
        }

        _stage = value.Stage;
        _tenth = tenth;
        string eta = value.Eta is { } e && value.Fraction < 1 ? string.Create(CultureInfo.InvariantCulture, $", {e.TotalSeconds:F0} s left") : string.Empty;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_prefix}{value.Stage} {value.Fraction * 100:F0}%{eta}"));
    }

    public void Finish()
    {
    }
}

/// <summary>A single redrawn line on a terminal: <c>segweb: predict [#######......] 54% ETA 0:12</c>.</summary>
internal sealed class ProgressBar(TextWriter error, string? label, int terminalWidth) : IFinishableProgress
{
    /// <summary>The bar currently on screen (one process, one stderr), for <see cref="SegmentProgress.InterruptLine"/>.</summary>
    public static ProgressBar? Active { get; private set; }

    private string _last = string.Empty;
    private bool _drawn;
    private long _lastTicks;

    public void Report(InferenceProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Redraw at most ~10 times a second, but always the end of a stage.
        long now = Environment.TickCount64;
        if (value.Fraction < 1 && _drawn && now - _lastTicks < 100)
        {
            return;
        }

        var line = Format(value, label, terminalWidth);
        if (line == _last)
        {
            return;
        }

        _lastTicks = now;
        // \r back to column 0; pad with spaces over a longer previous line.
        error.Write('\r' + line.PadRight(_last.Length));
        error.Flush();
        _last = line;
        _drawn = true;
        Active = this;
    }

    public void Finish()
    {
        if (_drawn)
        {
            error.WriteLine();
            _drawn = false;
            _last = string.Empty;
        }

        if (ReferenceEquals(Active, this))
        {
            Active = null;
        }
    }

    /// <summary>
    /// The bar's text for one event, at most <paramref name="width"/> − 1 characters (the last column is left free so a
    /// terminal never wraps): "segweb: [label ]stage [####....] NN% ETA m:ss". The ETA is omitted while unknown and at 100 %.
    /// </summary>
    public static string Format(InferenceProgress value, string? label, int width)
    {
        ArgumentNullException.ThrowIfNull(value);
        double fraction = Math.Clamp(double.IsFinite(value.Fraction) ? value.Fraction : 0, 0, 1);
        string head = label is null ? $"segweb: {value.Stage} " : $"segweb: {label} {value.Stage} ";
        string tail = string.Create(CultureInfo.InvariantCulture, $" {(int)Math.Floor(fraction * 100),3}%");
        if (value.Eta is { } eta && fraction < 1)
        {
            tail += " ETA " + FormatEta(eta);
        }

        int barWidth = Math.Clamp(width - 1 - head.Length - tail.Length - 2, 0, 40);
        if (barWidth < 5)
        {
            // Too narrow for a bar: the text alone, cut to fit.
            var text = (head + tail.TrimStart()).TrimEnd();
            return text.Length <= width - 1 ? text : text[..Math.Max(0, width - 1)];
        }

        int filled = (int)Math.Floor(fraction * barWidth);
        var sb = new StringBuilder(head.Length + barWidth + tail.Length + 2);
        sb.Append(head).Append('[').Append('#', filled).Append('.', barWidth - filled).Append(']').Append(tail);
        return sb.ToString();
    }

    /// <summary>m:ss below an hour, h:mm:ss above.</summary>
    public static string FormatEta(TimeSpan eta)
    {
        if (eta < TimeSpan.Zero)
        {
            eta = TimeSpan.Zero;
        }

        long seconds = (long)Math.Ceiling(eta.TotalSeconds);
        return seconds >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}");
    }
}
