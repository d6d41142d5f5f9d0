using System.CommandLine;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;
using SegWeb.Models.Twins;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb models synth --like total-fast|total-fastest|total-part1…|&lt;task&gt;[-fast|-fastest][-partN]
/// [--name N] [--seed S]`: an architecture twin of a TotalSegmentator model (same network family, patch size,
/// classes and label map; seeded random weights) as a model package.
/// </summary>
public static class ModelsSynthCommand
{
    /// <summary>The `models synth` command (<paramref name="catalog"/>: the embedded catalogue when null).</summary>
    public static Command Create(TaskCatalog? catalog = null)
    {
        var like = new Option<string>("--like") { Description = "The model to imitate: <task>[-fast|-fastest][-partN], e.g. total-fast, total-part2.", Required = true };
        var name = new Option<string?>("--name") { Description = "Package name (default: twin-<like>)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights (same seed, same files).", DefaultValueFactory = _ => 0 };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var command = new Command("synth", "Write an architecture twin of a TotalSegmentator model with random weights (for tests and benchmarks).")
        {
            like, name, seed, modelsDir,
        };
        command.SetAction(parse =>
        {
            var twin = ArchitectureTwin.Resolve(parse.GetValue(like)!, catalog ?? TaskCatalog.LoadEmbedded());
            var packageName = parse.GetValue(name) ?? $"twin-{twin.Like}";
            ModelNames.Check(packageName);
            var folder = Path.Combine(ModelsDirectory.Resolve(parse.GetValue(modelsDir)), packageName);
            var package = TwinPackageWriter.Write(twin, folder, packageName, parse.GetValue(seed));
            var a = twin.Architecture;
            parse.InvocationConfiguration.Output.WriteLine(
                $"wrote {packageName}: twin of {twin.Model.ModelName}, PlainConvUNet {a.Stages} stages [{string.Join(", ", a.FeaturesPerStage)}], "
                + $"{twin.OutputChannels} outputs, patch [{string.Join(", ", twin.PatchSize)}] → {package.Directory}");
            return CommandRunner.ExitOk;
        });
        return command;
    }
}
