using System.CommandLine;
using SegWeb.Cli.Bench;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb bench &lt;suite&gt; [--quick] [--work-dir DIR]`: runs a benchmark suite that prints figures (SegWeb against
/// the Python or native reference tools, measured in the same run on this machine). Speed targets live here,
/// never in timed unit tests.
/// </summary>
public static class BenchCommand
{
    /// <summary>One benchmark of a suite: prints its own table and returns 0, or 1 when SegWeb's result was wrong.</summary>
    public delegate int BenchmarkPart(TextWriter output, string workDir, bool quick);

    /// <summary>The suites and their parts, in the order they run.</summary>
    public static IReadOnlyDictionary<string, (string Description, BenchmarkPart[] Parts)> Suites { get; } =
        new Dictionary<string, (string, BenchmarkPart[])>(StringComparer.Ordinal)
        {
            ["imaging"] = ("Resampling against scipy.ndimage.zoom, NIfTI .nii.gz read/write against nibabel.", [ResampleBenchmark.Run, NiftiIoBenchmark.Run]),
            ["labels"] = ("Statistics and label clean-up on a 512×512×800 map with 117 classes.", [LabelStatisticsBenchmark.Run]),
            ["segment"] = ("The whole pipeline on the bundled example CT with the total-fast architecture twin (cold and warm), per stage.", [SegmentBenchmark.Run]),
            ["dicom"] = ("Reading a 512×512×400 DICOM series into a volume against dcm2niix and pydicom+numpy.", [DicomReadBenchmark.Run]),
        };

    public static Command Create()
    {
        var command = new Command("bench", "Run a benchmark suite and print its figures (SegWeb against reference tools, same run).");
        foreach (var (name, (description, parts)) in Suites)
        {
            command.Subcommands.Add(CreateSuite(name, description, parts));
        }

        return command;
    }

    private static Command CreateSuite(string name, string description, BenchmarkPart[] parts)
    {
        var quick = new Option<bool>("--quick") { Description = "Small inputs: checks the benchmark runs, the figures mean little." };
        var workDir = new Option<string?>("--work-dir") { Description = "Folder for the benchmark's files (default: a new temporary folder, removed afterwards)." };
        var command = new Command(name, description) { quick, workDir };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var given = parse.GetValue(workDir);
            var dir = given ?? Path.Combine(Path.GetTempPath(), $"segweb-bench-{name}-{Guid.NewGuid():N}");
            int status = CommandRunner.ExitOk;
            try
            {
                foreach (var part in parts)
                {
                    status = Math.Max(status, part(output, dir, parse.GetValue(quick)));
                    output.WriteLine();
                }
            }
            finally
            {
                if (given is null && Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }

            return status;
        });
        return command;
    }
}
