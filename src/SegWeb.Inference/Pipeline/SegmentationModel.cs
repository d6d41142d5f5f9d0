using SegWeb.Models.Packages;

namespace SegWeb.Inference.Pipeline;

/// <summary>One network the pipeline runs: a part of an installed package.</summary>
/// <param name="Package">The package holding the part's ONNX files, normalisation and spacing.</param>
/// <param name="Part">The part (its label map turns local argmax labels into the model's global ids).</param>
public sealed record ModelStep(ModelPackage Package, ModelPart Part);

/// <summary>
/// What the pipeline segments with: the parts of one package, or of several packages that together make one task
/// (<c>segweb models install total</c> installs TotalSegmentator's five part models as five packages; they run one after
/// another on the same preprocessed image and merge into the task's global ids, later parts winning).
/// </summary>
public sealed class SegmentationModel
{
    private SegmentationModel(IReadOnlyList<ModelStep> steps, IReadOnlyDictionary<int, string> classNames, string? task, string name)
    {
        Steps = steps;
        ClassNames = classNames;
        Task = task;
        Name = name;
    }

    /// <summary>The networks in the order they run and merge.</summary>
    public IReadOnlyList<ModelStep> Steps { get; }

    /// <summary>Global class id → name over every step (background excluded).</summary>
    public IReadOnlyDictionary<int, string> ClassNames { get; }

    /// <summary>The manifests' task (<c>total</c>, <c>body</c>, …) when they name one, else null.</summary>
    public string? Task { get; }

    /// <summary>A name for messages: the package name, or the names joined with '+'.</summary>
    public string Name { get; }

    /// <summary>Every part of one package.</summary>
    public static SegmentationModel FromPackage(ModelPackage package) => FromPackages([package]);

    /// <summary>
    /// Every part of each package, packages in the given order. The packages must agree on the target spacing and
    /// axis order (their labels merge voxel for voxel on one resampled grid) and on the name of every class id they share.
    /// </summary>
    /// <exception cref="InferenceException">No package, or packages that cannot be merged.</exception>
    public static SegmentationModel FromPackages(IEnumerable<ModelPackage> packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var list = packages.ToList();
        if (list.Count == 0)
        {
            throw new InferenceException("no model package to segment with");
        }

        var first = list[0].Manifest;
        var names = new SortedDictionary<int, string>();
        foreach (var package in list)
        {
            var m = package.Manifest;
            if (!m.TargetSpacing.SequenceEqual(first.TargetSpacing) || !m.TransposeForward.SequenceEqual(first.TransposeForward))
            {
                throw new InferenceException(
                    $"{package.Directory}: target spacing [{string.Join(", ", m.TargetSpacing)}] or axis order differs from {list[0].Directory}'s; packages merged into one label map must share them");
            }

            foreach (var (id, info) in m.Classes.Where(c => c.Key != 0))
            {
                if (names.TryGetValue(id, out var other) && other != info.Name)
                {
                    throw new InferenceException($"{package.Directory}: class {id} is '{info.Name}' here and '{other}' in another package of the same model");
                }

                names[id] = info.Name;
            }
        }

        var tasks = list.Select(p => p.Manifest.Task).Distinct().ToList();
        var steps = list.SelectMany(p => p.Manifest.Parts.Select(part => new ModelStep(p, part))).ToList();
        return new SegmentationModel(steps, names, tasks.Count == 1 ? tasks[0] : null, string.Join("+", list.Select(p => p.Manifest.Name)));
    }

    /// <summary>
    /// The same model restricted to the steps whose label map produces at least one of <paramref name="classes"/>
    /// (TotalSegmentator's <c>--roi_subset</c> runs only the parts that hold a requested class).
    /// </summary>
    /// <exception cref="InferenceException">A class name the model does not have.</exception>
    public SegmentationModel Restrict(IReadOnlyCollection<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var ids = IdsOf(classes);
        var steps = Steps.Where(s => s.Part.LabelMap.Values.Any(ids.Contains)).ToList();
        return new SegmentationModel(steps, ClassNames.Where(c => ids.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value), Task, Name);
    }

    /// <summary>The global ids of <paramref name="classes"/> (names); an unknown name is an error listing a few known ones.</summary>
    public HashSet<int> IdsOf(IReadOnlyCollection<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var byName = ClassNames.ToDictionary(c => c.Value, c => c.Key, StringComparer.Ordinal);
        var unknown = classes.Where(c => !byName.ContainsKey(c)).ToList();
        if (unknown.Count > 0)
        {
            throw new InferenceException(
                $"{Name} has no class {string.Join(", ", unknown.Select(u => $"'{u}'"))} (it has {ClassNames.Count}: {string.Join(", ", ClassNames.Values.Take(8))}{(ClassNames.Count > 8 ? ", …" : "")}; see `segweb classes`)");
        }

        return classes.Select(c => byName[c]).ToHashSet();
    }
}
