using SegWeb.Inference.Pipeline;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;

namespace SegWeb.Inference.Tasks;

/// <summary>
/// Finds the installed packages that run a TotalSegmentator task variant: what <c>--task total --fast</c> means on a
/// machine where <c>segweb models install total --fast</c> (or <c>segweb models synth --like total-fast</c>) has run.
/// </summary>
/// <remarks>
/// For each catalogue model of the variant (TotalSegmentator's <c>total</c> default = five part models 291–295, <c>--fast</c>
/// = 297, <c>--fastest</c> = 298) a package is found by, in order: the folder <c>install</c> creates
/// (<c>{modelsDir}/{ModelName}</c>), else any package of the same task whose part is that model (architecture twins
/// name their part after the imitated model), first by folder name. The packages merge in catalogue order.
/// </remarks>
public static class InstalledTaskModels
{
    /// <summary>The installed model for <paramref name="task"/>'s default, <c>fast</c> or <c>fastest</c> variant.</summary>
    /// <exception cref="Imaging.SegWebException">Unknown task, or a variant the task does not have.</exception>
    /// <exception cref="InferenceException">A model of the variant is not installed; the message names the install command.</exception>
    public static SegmentationModel Resolve(string modelsDir, TaskCatalog catalog, string task, bool fast = false, bool fastest = false)
    {
        ArgumentNullException.ThrowIfNull(modelsDir);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(task);
        var resolved = catalog.Resolve(task, fast, fastest);
        List<ModelPackage>? scanned = null;
        var packages = new List<ModelPackage>();
        var missing = new List<string>();
        foreach (var model in resolved.Models)
        {
            var folder = Path.Combine(modelsDir, model.ModelName);
            if (File.Exists(Path.Combine(folder, ModelManifest.FileName)))
            {
                packages.Add(ModelPackage.Load(folder));
                continue;
            }

            scanned ??= Scan(modelsDir);
            var twin = scanned.FirstOrDefault(p => p.Manifest.Task == task
                && p.Manifest.Parts.Any(part => part.Name == model.ModelName || part.Network.Dataset == model.ModelName));
            if (twin is null)
            {
                missing.Add(model.ModelName);
            }
            else
            {
                packages.Add(twin);
            }
        }

        if (missing.Count > 0)
        {
            string flag = resolved.Variant.Name is "fast" or "fastest" ? $" --{resolved.Variant.Name}" : string.Empty;
            throw new InferenceException(
                $"task '{task}' ({resolved.Variant.Name}) needs {string.Join(", ", missing)}, not installed in {modelsDir}: run `segweb models install {task}{flag}`");
        }

        return SegmentationModel.FromPackages(packages);
    }

    /// <summary>Every loadable package directly under <paramref name="modelsDir"/>, by folder name (hidden staging folders skipped).</summary>
    private static List<ModelPackage> Scan(string modelsDir)
    {
        if (!Directory.Exists(modelsDir))
        {
            return [];
        }

        var list = new List<ModelPackage>();
        foreach (var dir in Directory.GetDirectories(modelsDir).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(dir).StartsWith('.') || !File.Exists(Path.Combine(dir, ModelManifest.FileName)))
            {
                continue;
            }

            try
            {
                list.Add(ModelPackage.Load(dir));
            }
            catch (Models.ModelFormatException)
            {
                // A broken package elsewhere in the folder must not stop a task whose own packages are fine.
            }
        }

        return list;
    }
}
