using System.Diagnostics;

namespace SegWeb.Server.Tests.Segmentation;

/// <summary>Runs an installed reference tool (dciodvfy, dcm2niix); skips when it is absent unless SEGWEB_REQUIRE_REFERENCES=1.</summary>
internal static class ExternalTool
{
    public static void Require(string tool)
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
        if (!found && Environment.GetEnvironmentVariable("SEGWEB_REQUIRE_REFERENCES") == "1")
        {
            throw new InvalidOperationException($"{tool} is not installed (deploy/setup.sh --tests installs it)");
        }

        Skip.IfNot(found, $"{tool} is not installed (deploy/setup.sh --tests installs it)");
    }

    /// <summary>Exit code and stdout + stderr together.</summary>
    public static (int Code, string Output) Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} ran over 2 minutes");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
