using Microsoft.Extensions.Options;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;
using SegWeb.Server.Segmentation;

namespace SegWeb.Server.Components.Services;

/// <summary>One choice in the upload form's task list.</summary>
/// <param name="Name">The task name sent with the job.</param>
/// <param name="Installed">True for the model this server runs; catalogue tasks say whether their weights are in the models folder.</param>
/// <param name="Classes">The structures, for the ROI autocomplete.</param>
/// <param name="Note">A short remark shown next to the name.</param>
public sealed record TaskChoice(string Name, bool Installed, IReadOnlyList<string> Classes, string Note);

/// <summary>
/// The tasks the upload form offers: the model the server is configured with (<c>SegWeb:Segmentation:ModelPath</c>)
/// first, then TotalSegmentator's catalogue, each marked installed or not. The server runs one model today; a
/// catalogue task that is not that model runs it anyway with a job warning, which the note says.
/// </summary>
public sealed class TaskChoices
{
    private readonly string? _modelPath;
    private Lazy<(IReadOnlyList<TaskChoice> Tasks, ModelPackage? Package, string? Problem)> _load;

    public TaskChoices(IOptions<SegmentationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _modelPath = options.Value.ModelPath;
        _load = new(() => Load(_modelPath));
    }

    /// <summary>Reads the models folder again on next use (after an install).</summary>
    public void Reload() => _load = new(() => Load(_modelPath));

    /// <summary>Configured model first, then the catalogue.</summary>
    public IReadOnlyList<TaskChoice> Tasks => _load.Value.Tasks;

    /// <summary>The configured model package, or null when the server has none (jobs then answer "no pipeline").</summary>
    public ModelPackage? ConfiguredModel => _load.Value.Package;

    /// <summary>Why the models folder or the catalogue could not be read, or null.</summary>
    public string? Problem => _load.Value.Problem;

    /// <summary>The task a drop runs with when nobody touches the form: the configured model, else "total".</summary>
    public string DefaultTask => ConfiguredModel?.Manifest.Name ?? "total";

    /// <summary>The models folder catalogue installs go to (SEGWEB_MODELS_DIR or the default).</summary>
    public static string ModelsFolder() => ModelsDirectory.Resolve();

    private static (IReadOnlyList<TaskChoice>, ModelPackage?, string?) Load(string? modelPath)
    {
        var tasks = new List<TaskChoice>();
        ModelPackage? package = null;
        string? problem = null;
        if (!string.IsNullOrWhiteSpace(modelPath))
        {
            package = ModelPackage.Load(modelPath);
            tasks.Add(new TaskChoice(package.Manifest.Name, true, package.Manifest.Classes.Values.Select(c => c.Name).ToList(), "this server's model"));
        }

        try
        {
            string modelsDir = ModelsFolder();
            foreach (var task in TaskCatalog.LoadEmbedded().Tasks)
            {
                if (tasks.Any(t => t.Name.Equals(task.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                bool installed = ModelsDirectory.IsInstalled(modelsDir, task.Variants[0]);
                string note = installed
                    ? "weights installed; this server runs only its configured model"
                    : package is null ? "not installed" : $"not installed: runs {package.Manifest.Name} with a warning";
                tasks.Add(new TaskChoice(task.Name, installed, task.Classes.Select(c => c.Name).ToList(), note));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SegWeb.Imaging.SegWebException)
        {
            problem = $"the task catalogue or models folder could not be read: {ex.Message}";
        }

        return (tasks, package, problem);
    }
}
