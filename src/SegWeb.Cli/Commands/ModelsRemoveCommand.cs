using System.CommandLine;
using SegWeb.Imaging;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb models remove &lt;task|model&gt; [--fast|--fastest]`: delete installed model folders, either those of a
/// task variant (as `install` would create them) or one model folder by name.
/// </summary>
public static class ModelsRemoveCommand
{
    public static Command Create(TaskCatalog? catalog = null)
    {
        var target = new Argument<string>("task-or-model") { Description = "A task (its variant's models are removed) or an installed model's folder name." };
        var fast = new Option<bool>("--fast") { Description = "Remove the task's fast variant." };
        var fastest = new Option<bool>("--fastest") { Description = "Remove the task's fastest variant." };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var command = new Command("remove", "Remove installed models.") { target, fast, fastest, modelsDir };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(target)!;
            var dir = ModelsDirectory.Resolve(parse.GetValue(modelsDir));
            var tasks = catalog ?? TaskCatalog.LoadEmbedded();
            IReadOnlyList<string> names = tasks.Find(name) is not null
                ? tasks.Resolve(name, parse.GetValue(fast), parse.GetValue(fastest)).Models.Select(m => m.ModelName).ToList()
                : [PlainName(name)];
            var present = names.Where(n => Directory.Exists(Path.Combine(dir, n))).ToList();
            if (present.Count == 0)
            {
                throw new SegWebException($"nothing to remove: {string.Join(", ", names)} not installed in {dir}");
            }

            var output = parse.InvocationConfiguration.Output;
            foreach (var folder in present)
            {
                RemoveFolder(Path.Combine(dir, folder));
                output.WriteLine($"removed {folder}");
            }

            return CommandRunner.ExitOk;
        });
        return command;
    }

    private static string PlainName(string name) =>
        ModelNames.IsValid(name) ? name : throw new SegWebException($"'{name}' is neither a task nor a model folder name");

    // Renamed out of the way first, so an interrupted delete never leaves a half model that looks installed.
    private static void RemoveFolder(string folder)
    {
        var doomed = Path.Combine(Path.GetDirectoryName(folder)!, $".removing-{Path.GetFileName(folder)}-{Guid.NewGuid():N}");
        Directory.Move(folder, doomed);
        Directory.Delete(doomed, recursive: true);
    }
}
