using System.Diagnostics;
using System.Text.Json;

namespace SegWeb.Cli.Bench;

/// <summary>
/// Runs one of the benchmarks' Python reference scripts (embedded as SegWeb.Cli.Bench.Python.&lt;name&gt;) in Debian's
/// /usr/bin/python3 (SEGWEB_PYTHON overrides) and parses the one JSON object it prints. A missing interpreter or a
/// failing script is not an exception: the benchmark still prints SegWeb's own figures and says why the reference
/// column is empty.
/// </summary>
internal static class ReferenceScript
{
    public static JsonDocument? Run(string scriptName, string workDir, IEnumerable<string> arguments, out string? problem)
    {
        var python = Environment.GetEnvironmentVariable("SEGWEB_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        if (!File.Exists(python))
        {
            problem = $"{python} not found";
            return null;
        }

        var script = Path.Combine(workDir, scriptName);
        using (var resource = typeof(ReferenceScript).Assembly.GetManifestResourceStream($"SegWeb.Cli.Bench.Python.{scriptName}")
            ?? throw new InvalidOperationException($"embedded {scriptName} is missing"))
        using (var file = File.Create(script))
        {
            resource.CopyTo(file);
        }

        try
        {
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(script);
            foreach (var argument in arguments)
            {
                psi.ArgumentList.Add(argument);
            }

            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                problem = $"python exited {process.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}";
                return null;
            }

            problem = null;
            return JsonDocument.Parse(stdout);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
