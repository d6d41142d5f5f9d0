using System.Text.Json;

namespace SegWeb.Models.Tests.Parity;

/// <summary>
/// Runs Python/make_nnunet_results.py (Debian's python3 + torch): an independent PyTorch U-Net with nnU-Net's
/// state-dict names, saved as an nnU-Net results folder, plus a seeded input and PyTorch's logits. Several
/// cases share one Python process, because importing torch dominates the cost.
/// </summary>
internal static class NnUNetReference
{
    public const string ConfigurationFolder = "nnUNetTrainer__nnUNetPlans__3d_fullres";

    private const string Driver = """
        import json, runpy, sys
        script, jobs = sys.argv[1], json.loads(sys.argv[2])
        for spec, out in jobs:
            sys.argv = [script, json.dumps(spec), out]
            runpy.run_path(script, run_name="__main__")
        """;

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Python", "make_nnunet_results.py");

    /// <summary>Writes one results folder per (spec, output folder) pair.</summary>
    public static void Make(IEnumerable<(object Spec, string Output)> jobs)
    {
        RequireTorch();
        var payload = JsonSerializer.Serialize(jobs.Select(j => new object[] { j.Spec, j.Output }).ToArray());
        ReferencePython.Run(Driver, ScriptPath, payload);
    }

    /// <summary>Skips (or fails on CI) unless Debian's python3 imports torch and numpy.</summary>
    public static void RequireTorch() => ReferencePython.Require("torch", "numpy");

    /// <summary>Runs an arbitrary reference script with torch available.</summary>
    public static string RunTorch(string script, params string[] args)
    {
        RequireTorch();
        return ReferencePython.Run(script, args);
    }
}
