using System.CommandLine;
using System.Globalization;
using SegWeb.Imaging;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>`segweb models list [--models-dir DIR]`: the model packages installed, one line each.</summary>
public static class ModelsListCommand
{
    /// <summary>The `models list` command.</summary>
    public static Command Create()
    {
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var command = new Command("list", "List installed model packages.") { modelsDir };
        command.SetAction(parse =>
        {
            var dir = ModelsDirectory.Resolve(parse.GetValue(modelsDir));
            var output = parse.InvocationConfiguration.Output;
            var folders = Directory.Exists(dir)
                ? Directory.EnumerateDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToList()
                : [];
            if (folders.Count == 0)
            {
                output.WriteLine($"no models in {dir}");
                return CommandRunner.ExitOk;
            }

            foreach (var folder in folders)
            {
                output.WriteLine(Describe(folder));
            }

            return CommandRunner.ExitOk;
        });
        return command;
    }

    private static string Describe(string folder)
    {
        var name = Path.GetFileName(folder);
        try
        {
            var m = ModelPackage.Load(folder).Manifest;
            var network = string.Join("+", m.Parts.Select(p => p.Network.ClassName[(p.Network.ClassName.LastIndexOf('.') + 1)..]).Distinct());
            var spacing = string.Join("×", m.TargetSpacing.Select(s => s.ToString("0.###", CultureInfo.InvariantCulture)));
            return $"{name}\t{m.Task ?? "-"}\t{m.Modality ?? "-"}\t{m.Classes.Count} classes\t{m.Parts.Length} part(s)\t{m.Folds} fold(s)\t{spacing} mm\t{network}";
        }
        catch (SegWebException ex)
        {
            return $"{name}\t(not a usable package: {ex.Message})";
        }
    }
}
