using SegWeb.Imaging;
using SegWeb.Models.Catalog;
using SegWeb.Models.NnUNet;

namespace SegWeb.Models.Twins;

/// <summary>
/// What an architecture twin copies from a TotalSegmentator model: its catalogue entry (task, variant, dataset,
/// labels and their global ids, target spacing, trainer) and an architecture and patch size inferred from
/// nnU-Net's default planning (see docs/models.md, "Architecture twins", for which numbers are inferred).
/// </summary>
public sealed record ArchitectureTwin
{
    /// <summary>The --like name it was resolved from (total-fast, total-part2, …).</summary>
    public required string Like { get; init; }

    /// <summary>The catalogue task the imitated model belongs to.</summary>
    public required CatalogTask Task { get; init; }

    /// <summary>The task variant (default, fast, fastest).</summary>
    public required CatalogVariant Variant { get; init; }

    /// <summary>The imitated model (dataset id, name, labels).</summary>
    public required CatalogModel Model { get; init; }

    /// <summary>The network the twin gets (inferred, see <see cref="InferPlan"/>).</summary>
    public required UNetArchitecture Architecture { get; init; }

    /// <summary>nnU-Net patch size (network axis order).</summary>
    public required int[] PatchSize { get; init; }

    /// <summary>Target spacing in mm (the variant's, or 1.5 mm when the catalogue has none).</summary>
    public required double[] TargetSpacing { get; init; }

    /// <summary>Network output channels (background included).</summary>
    public required int OutputChannels { get; init; }

    /// <summary>Local label → global (task) label; 0 drops the label.</summary>
    public required SortedDictionary<int, int> LabelMap { get; init; }

    /// <summary>Global label → structure name.</summary>
    public required SortedDictionary<int, string> ClassNames { get; init; }

    /// <summary>"CT" or "MR" (from the task name).</summary>
    public required string Modality { get; init; }

    /// <summary>
    /// Resolves <c>&lt;task&gt;[-fast|-fastest][-part&lt;N&gt;]</c> (<c>total-fast</c>, <c>total-fastest</c>,
    /// <c>total-part3</c>, <c>total_mr-fast</c>, <c>body</c>, …) against the catalogue. <c>-part</c> alone means
    /// part 1; a multi-part variant without a part is refused with the choices.
    /// </summary>
    public static ArchitectureTwin Resolve(string like, TaskCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(like);
        ArgumentNullException.ThrowIfNull(catalog);
        var rest = like.Trim();
        int? part = null;
        bool fast = false, fastest = false;
        while (true)
        {
            int dash = rest.LastIndexOf('-');
            if (dash <= 0)
            {
                break;
            }

            var suffix = rest[(dash + 1)..];
            if (suffix == "fast")
            {
                fast = true;
            }
            else if (suffix == "fastest")
            {
                fastest = true;
            }
            else if (suffix.StartsWith("part", StringComparison.Ordinal)
                && (suffix.Length == 4 || int.TryParse(suffix.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture, out _)))
            {
                part = suffix.Length == 4 ? 1 : int.Parse(suffix.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                break;
            }

            rest = rest[..dash];
        }

        if (catalog.Find(rest) is null)
        {
            throw new SegWebException($"--like '{like}': no task '{rest}' in the catalogue (see `segweb tasks`)");
        }

        var resolved = catalog.Resolve(rest, fast, fastest);
        var models = resolved.Models;
        CatalogModel model;
        if (part is int p)
        {
            model = p >= 1 && p <= models.Count ? models[p - 1]
                : throw new SegWebException($"--like '{like}': {rest} ({resolved.Variant.Name}) has {models.Count} model(s), no part {p}");
        }
        else if (models.Count == 1)
        {
            model = models[0];
        }
        else
        {
            var stem = like.Trim();
            throw new SegWebException($"--like '{like}': {rest} ({resolved.Variant.Name}) has {models.Count} part models; name one: "
                + string.Join(", ", Enumerable.Range(1, models.Count).Select(i => $"{stem}-part{i}")));
        }

        return Build(like, resolved, model);
    }

    private static ArchitectureTwin Build(string like, ResolvedTask resolved, CatalogModel model)
    {
        var spacing = resolved.Variant.TargetSpacingMm ?? [1.5, 1.5, 1.5];
        var (stages, patch) = InferPlan(spacing.Min());
        var labelMap = new SortedDictionary<int, int>();
        var names = new SortedDictionary<int, string>();
        if (model.Labels is { Count: > 0 } labels)
        {
            foreach (var label in labels.Where(l => l.Local != 0))
            {
                labelMap[label.Local] = label.Global;
                if (label.Global != 0)
                {
                    names[label.Global] = label.Name;
                }
            }
        }
        else
        {
            // The catalogue does not know this part's own labels: the twin outputs the task's classes directly.
            foreach (var c in resolved.Task.Classes.Where(c => c.Id != 0))
            {
                labelMap[c.Id] = c.Id;
                names[c.Id] = c.Name;
            }
        }

        int outputs = (labelMap.Count == 0 ? 0 : labelMap.Keys.Max()) + 1;
        return new ArchitectureTwin
        {
            Like = like,
            Task = resolved.Task,
            Variant = resolved.Variant,
            Model = model,
            Architecture = DefaultPlainUNet(stages),
            PatchSize = patch,
            TargetSpacing = spacing,
            OutputChannels = outputs,
            LabelMap = labelMap,
            ClassNames = names,
            Modality = resolved.Task.Name.Contains("_mr", StringComparison.Ordinal) || resolved.Task.Name.EndsWith("mr", StringComparison.Ordinal) ? "MR" : "CT",
        };
    }

    /// <summary>
    /// Inferred from nnU-Net's default 3d_fullres planning for TotalSegmentator-sized CTs: about 128³ voxels per
    /// patch at 1.5 mm and finer (pooled down to 4 voxels: 6 stages); at 3 mm and 6 mm the median image is small
    /// enough that the patch shrinks (5 stages). Not read from the real plans.json, which SegWeb does not have.
    /// </summary>
    internal static (int Stages, int[] Patch) InferPlan(double spacingMm) => spacingMm switch
    {
        < 3 => (6, [128, 128, 128]),
        < 6 => (5, [112, 112, 112]),
        _ => (5, [64, 64, 64]),
    };

    /// <summary>nnU-Net's default PlainConvUNet: features 32·2^i capped at 320, 3³ kernels, stride 2, 2 convs per stage.</summary>
    internal static UNetArchitecture DefaultPlainUNet(int stages) => new()
    {
        ClassName = "dynamic_network_architectures.architectures.unet.PlainConvUNet",
        Kind = UNetKind.PlainConvUNet,
        Dimensions = 3,
        FeaturesPerStage = Enumerable.Range(0, stages).Select(i => Math.Min(32 << i, 320)).ToArray(),
        KernelSizes = Enumerable.Range(0, stages).Select(_ => new[] { 3, 3, 3 }).ToArray(),
        Strides = Enumerable.Range(0, stages).Select(i => i == 0 ? new[] { 1, 1, 1 } : [2, 2, 2]).ToArray(),
        EncoderUnitsPerStage = Enumerable.Repeat(2, stages).ToArray(),
        DecoderConvsPerStage = Enumerable.Repeat(2, stages - 1).ToArray(),
        ConvBias = true,
        NormEpsilon = 1e-5,
        NormAffine = true,
        NegativeSlope = 0.01,
    };
}
