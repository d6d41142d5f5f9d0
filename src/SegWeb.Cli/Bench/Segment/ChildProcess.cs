using System.Diagnostics;
using System.Text.Json;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>
/// Runs one benchmark case in a fresh `segweb bench segment` process, so each case's peak RSS is its own and its
/// wall time includes process start and model load (what a user of the command waits for). The request travels in
/// <see cref="Variable"/>; the child prints one line <see cref="ResultPrefix"/> + JSON, which the parent parses.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Environment variable carrying the child's request (JSON).</summary>
    public const string Variable = "SEGWEB_BENCH_SEGMENT_CHILD";

    /// <summary>Prefix of the child's result line.</summary>
    public const string ResultPrefix = "SEGWEB-BENCH-RESULT ";

    /// <summary>The request when this process is a child, else null.</summary>
    public static string? Request => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } r ? r : null;

    /// <summary>Starts the child, waits for it (at most <paramref name="timeout"/>) and returns its result and wall time.</summary>
    public static (JsonElement? Result, double WallSeconds, string? Problem) Run(string request, TimeSpan timeout)
    {
        string dll = typeof(ChildProcess).Assembly.Location;
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("bench");
        start.ArgumentList.Add("segment");
        start.Environment[Variable] = request;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {host}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (null, clock.Elapsed.TotalSeconds, $"timed out after {timeout.TotalSeconds:F0} s");
        }

        double wall = clock.Elapsed.TotalSeconds;
        var line = stdout.Result.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            var why = (stderr.Result + stdout.Result).Trim();
            return (null, wall, $"exit {process.ExitCode}: {(why.Length > 400 ? why[^400..] : why)}");
        }

        using var document = JsonDocument.Parse(line[ResultPrefix.Length..]);
        return (document.RootElement.Clone(), wall, null);
    }

    /// <summary>Prints the child's result line.</summary>
    public static void WriteResult(TextWriter output, object result) =>
        output.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
}
