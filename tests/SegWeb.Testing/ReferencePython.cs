using System.Diagnostics;

using Xunit;

namespace SegWeb.Testing;

/// <summary>
/// Runs the independent Python references (Debian's nibabel, scipy, pydicom, torch) from tests. They belong
/// to Debian's /usr/bin/python3 (override with SEGWEB_PYTHON). When the interpreter or a module is missing
/// the test is skipped with the reason, unless SEGWEB_REQUIRE_REFERENCES=1 (set by the test command), which
/// turns that into a failure so a CI machine cannot pass by skipping.
/// </summary>
public static class ReferencePython
{
    private static readonly Dictionary<string, string?> ModuleProblems = [];
    private static readonly Lock Gate = new();

    public static string Interpreter => Environment.GetEnvironmentVariable("SEGWEB_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>Skips (or fails, on CI) unless every named module imports.</summary>
    public static void Require(params string[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var module in modules)
        {
            string? problem;
            lock (Gate)
            {
                if (!ModuleProblems.TryGetValue(module, out problem))
                {
                    problem = Probe(module);
                    ModuleProblems[module] = problem;
                }
            }

            if (problem is null)
            {
                continue;
            }

            if (Environment.GetEnvironmentVariable("SEGWEB_REQUIRE_REFERENCES") == "1")
            {
                throw new InvalidOperationException(problem);
            }

            Skip.If(true, problem);
        }
    }

    /// <summary>Runs a Python script (source text) with arguments; returns stdout; throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args) => RunWithTimeout(script, TimeSpan.FromMinutes(5), args);

    public static string RunWithTimeout(string script, TimeSpan timeout, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(args);
        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"reference Python script did not finish in {timeout}");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"reference Python failed (exit {process.ExitCode}):\n{stderr.Result}");
        }

        return stdout.Result;
    }

    private static string? Probe(string module)
    {
        if (!File.Exists(Interpreter))
        {
            return $"reference interpreter {Interpreter} not found (install Debian's python3 and python3-{module})";
        }

        try
        {
            Run($"import {module}\n");
            return null;
        }
        catch (InvalidOperationException)
        {
            return $"Python module '{module}' is not importable by {Interpreter} (apt-get install python3-{module})";
        }
    }
}
