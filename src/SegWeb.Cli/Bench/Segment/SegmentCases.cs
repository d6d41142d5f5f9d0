using System.Globalization;
using System.Text.Json;
using SegWeb.Imaging.Volumes;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;
using SegWeb.Models.Twins;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>The segment benchmark's cases (parent side): packages and inputs prepared here, each case run in a child process.</summary>
internal static class SegmentCases
{
    /// <summary>Case names, in the order they run.</summary>
    public static readonly string[] All = ["runtime", "example", "ct458-3mm", "ct458-parts", "ct824-parts"];

    private static readonly TimeSpan CaseTimeout = TimeSpan.FromMinutes(40);

    /// <summary>Dispatches a child request.</summary>
    public static void RunChild(TextWriter output, ChildRequest request)
    {
        switch (request.Case)
        {
            case "forward":
                RuntimeOptionsBenchmark.RunChild(output, request);
                break;
            case "pipeline":
                ChildCases.Pipeline(output, request);
                break;
            default:
                throw new InvalidOperationException($"unknown benchmark child case '{request.Case}'");
        }
    }

    /// <summary>Runs <paramref name="cases"/> and prints their tables.</summary>
    public static int Run(TextWriter output, string workDir, bool quick, IReadOnlySet<string> cases)
    {
        string root = FindRepositoryRoot();
        var catalog = TaskCatalog.LoadEmbedded();
        var packages = new Dictionary<string, string>(StringComparer.Ordinal);
        string Package(string like)
        {
            if (!packages.TryGetValue(like, out var dir))
            {
                dir = Path.Combine(workDir, quick ? "demo" : like + "-twin");
                // A --work-dir kept from an earlier run already holds the package (seeded twins are identical).
                if (!File.Exists(Path.Combine(dir, "model.json")))
                {
                    dir = quick
                        ? NnUNetImporter.Import(Path.Combine(root, "models", "segweb-demo-nnunet"), dir).Directory
                        : TwinPackageWriter.Write(ArchitectureTwin.Resolve(like, catalog), dir, seed: 1).Directory;
                }

                packages[like] = dir;
                if (quick)
                {
                    // One import serves every case in quick mode.
                    foreach (var other in new[] { "total-fast", "total-part1", "total-part2", "total-part3", "total-part4", "total-part5" })
                    {
                        packages[other] = dir;
                    }
                }
            }

            return dir;
        }

        string model = quick ? "the demo model (7 classes, 3 mm)" : "architecture twins (random weights, TotalSegmentator's shapes)";
        output.WriteLine($"Segment benchmark{(quick ? " (--quick: small inputs, demo model; figures mean little)" : string.Empty)}: {model}, {Environment.ProcessorCount} cores, load average {ProcessFigures.LoadAverage():F1} at start");
        output.WriteLine("Each case runs in a fresh process: wall = process start to exit (runtime start, model load, everything); peak RSS = that process's VmHWM.");
        output.WriteLine("On a shared machine peak RSS is reliable, wall times are not: each row gives the load average when it started.");
        output.WriteLine();
        int status = 0;
        if (cases.Contains("runtime"))
        {
            var fast = ModelPackage.Load(Package("total-fast"));
            var onnx = fast.FoldFiles(fast.Manifest.Parts[0])[0];
            RuntimeOptionsBenchmark.Run(output, onnx, [.. fast.Manifest.PatchSize], workDir, runs: quick ? 1 : 2, quick);
            output.WriteLine();
        }

        var rows = new List<string>();
        var notes = new List<string>();
        void Case(string name, string description, Func<ChildRequest> request)
        {
            if (!cases.Contains(name))
            {
                return;
            }

            double load = ProcessFigures.LoadAverage();
            var prepared = request();
            var (result, wall, problem) = ChildProcess.Run(prepared.ToJson(), CaseTimeout);
            if (result is not { } r)
            {
                rows.Add($"| {description} | failed: {problem} |");
                status = 1;
                return;
            }

            rows.Add(Row(description, r, wall, load, prepared.SampledForwardPasses > 0, notes));
        }

        string outputs = Path.Combine(workDir, "outputs");
        string fastName = quick ? "demo model" : "total-fast twin (--fast)";

        // Baselines first, in the same run: the classifier kept inside the network (nnU-Net's order of operations), and
        // ONNX Runtime's own kernels for the U-Net's convolutions and normalisations; then SegWeb's default.
        void CaseWithBaselines(string name, string description, Func<ChildRequest> request)
        {
            Case(name, description + ", classifier in the network (baseline)", () => request() with
            {
                Output = Path.Combine(outputs, name + "-baseline"),
                SplitClassifierHead = false,
            });
            Case(name, description + ", ONNX Runtime's kernels instead of SegWeb's (baseline)", () => request() with
            {
                Output = Path.Combine(outputs, name + "-onnx-conv"),
                DirectKernels = false,
            });
            Case(name, description, () => request() with { Output = Path.Combine(outputs, name) });
        }

        CaseWithBaselines("example", $"example_ct_sm, {fastName}", () => new ChildRequest
        {
            Case = "pipeline",
            Input = Path.Combine(root, "deploy", "example", "example_ct_sm.nii.gz"),
            Packages = [Package("total-fast")],
        });

        var shape458 = quick ? new VolumeShape(96, 96, 86) : new VolumeShape(512, 512, 458);
        var shape824 = quick ? new VolumeShape(96, 96, 154) : new VolumeShape(512, 512, 824);
        var spacing = (0.8, 0.8, 1.0);
        string Ct(VolumeShape shape) => SyntheticCt.Write(Path.Combine(workDir, $"synthetic_ct_{shape.X}x{shape.Y}x{shape.Z}.nii.gz"), shape, spacing);
        string parts = quick ? "demo model as 2 parts" : "five 1.5 mm part twins (total)";
        string[] PartPackages() => quick ? [Package("total-part1"), Package("total-part2")] : [.. Enumerable.Range(1, 5).Select(p => Package($"total-part{p}"))];
        CaseWithBaselines("ct458-3mm", $"{shape458} CT (0.8×0.8×1 mm), {(quick ? "demo model" : "total-fast twin (3 mm)")}", () => new ChildRequest
        {
            Case = "pipeline",
            Input = Ct(shape458),
            Packages = [Package("total-fast")],
        });
        Case("ct458-parts", $"{shape458} CT (0.8×0.8×1 mm), {parts}, all sessions kept (as a server keeps them)", () => new ChildRequest
        {
            Case = "pipeline",
            Input = Ct(shape458),
            Packages = PartPackages(),
            Output = Path.Combine(outputs, "ct458-parts"),
            SampledForwardPasses = quick ? 0 : 2,
        });
        if (!quick)
        {
            Case("ct824-parts", $"{shape824} CT (0.8×0.8×1 mm), {parts}: 117 classes at 1.5 mm, each part's session released after it ran (one-shot CLI)", () => new ChildRequest
            {
                Case = "pipeline",
                Input = Ct(shape824),
                Packages = PartPackages(),
                Output = Path.Combine(outputs, "ct824-parts"),
                SampledForwardPasses = 1,
                ReleaseSessions = true,
            });
        }

        if (rows.Count > 0)
        {
            output.WriteLine("| case | wall s | read | preprocess | inference | export | write | forward passes | forward s | forward share | other share | peak RSS MB | load avg |");
            output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var row in rows)
            {
                output.WriteLine(row);
            }

            output.WriteLine();
            output.WriteLine("Stages: read = file to volume; preprocess = reorient + crop + normalise + resample; inference = sliding window of every part (session load included); export = post-process + labels back to the input grid; write = multilabel .nii.gz.");
            output.WriteLine("Every case runs SegmentationPipeline itself; \"classifier in the network\" rows keep the 1×1 classifier inside the ONNX graph (nnU-Net's order of operations), the others apply it after aggregation (single-fold parts with more classes than features).");
            output.WriteLine("forward s = time inside ONNX Runtime's forward passes; other share = 1 − forward s / wall s (process start, model load, all non-network work).");
            foreach (var note in notes.Distinct())
            {
                output.WriteLine(note);
            }
        }

        return status;
    }

    private static string Row(string description, JsonElement r, double wall, double load, bool sampled, List<string> notes)
    {
        double D(string name) => r.GetProperty(name).GetDouble();
        long passes = r.GetProperty("passes").GetInt64(), run = r.GetProperty("passesRun").GetInt64();
        double forwardMeasured = D("forwardMeasured"), forwardTotal = D("forwardTotal");
        string mark = string.Empty;
        double inference = D("inference");
        if (sampled && run < passes)
        {
            // Replace the sampled forward time by the extrapolated one; everything else was measured in full.
            mark = "≈";
            wall += forwardTotal - forwardMeasured;
            inference += forwardTotal - forwardMeasured;
            notes.Add("≈: extrapolated. Sampled cases run the real network on the first passes of each part only (the rest reuse the last output, so tiling, aggregation, " +
                "export and memory are real); forward s = mean measured pass (the first left out when more ran) × all passes; wall and inference add the difference.");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"| {description} | {mark}{wall:F1} | {D("read"):F2} | {D("preprocess"):F2} | {mark}{inference:F2} | {D("export"):F2} | {D("write"):F2} | {passes}{(run < passes ? $" ({run} run)" : string.Empty)} | {mark}{forwardTotal:F1} | {mark}{100 * forwardTotal / wall:F1} % | {mark}{100 * (1 - (forwardTotal / wall)):F1} % | {D("peakRss"):F0} | {load:F1} |");
    }

    // The benchmark's input and the demo model live in the repository; look upward from here and from the binary.
    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "deploy", "example", "example_ct_sm.nii.gz")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new Imaging.SegWebException("segweb bench segment: run it inside the SegWeb repository (it needs deploy/example/example_ct_sm.nii.gz)");
    }
}
