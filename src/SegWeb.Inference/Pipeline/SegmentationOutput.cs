using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Statistics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Pipeline;

/// <summary>What to write for a segmentation, in TotalSegmentator's output layout.</summary>
public sealed record SegmentationOutputOptions
{
    /// <summary>
    /// One multilabel file with the label table (TotalSegmentator's --ml): the output path names that file and
    /// statistics.json goes beside it. Otherwise the output path is a folder of one &lt;class&gt;.nii.gz per class.
    /// </summary>
    public bool Multilabel { get; init; }

    /// <summary>Write statistics.json (volume and mean intensity per class, TotalSegmentator's --statistics).</summary>
    public bool Statistics { get; init; }

    /// <summary>
    /// TotalSegmentator's --skip_saving: write no segmentation (neither the masks nor the multilabel file), only
    /// statistics.json and the extra files, for runs that want the numbers.
    /// </summary>
    public bool SkipSegmentations { get; init; }

    /// <summary>Statistics choices (border exclusion as TotalSegmentator by default; --stats_include_incomplete keeps them).</summary>
    public StatisticsOptions StatisticsOptions { get; init; } = StatisticsOptions.Default;

    /// <summary>
    /// More files to publish with the outputs, all or nothing (e.g. the CLI's preview PNG): each is written by its
    /// action to a staging path and moved beside the other outputs only when everything succeeded.
    /// </summary>
    public IReadOnlyList<(string FileName, Action<string> Write)> ExtraFiles { get; init; } = [];
}

/// <summary>
/// Writes a <see cref="SegmentationResult"/> as TotalSegmentator lays its outputs out, all or nothing: every file is
/// first written into a staging folder beside the destination and moved into place only when all succeeded, so an
/// error never leaves a partial output folder.
/// </summary>
public static class SegmentationOutput
{
    /// <summary>Writes the outputs; returns the final paths written.</summary>
    /// <param name="result">The segmentation (labels on the input grid, the input's header as template).</param>
    /// <param name="output">The output folder, or with <see cref="SegmentationOutputOptions.Multilabel"/> the multilabel file.</param>
    /// <param name="options">What to write.</param>
    /// <param name="cancellationToken">Checked between files.</param>
    public static IReadOnlyList<string> Write(SegmentationResult result, string output, SegmentationOutputOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        var full = Path.GetFullPath(output);
        string folder = options.Multilabel ? Path.GetDirectoryName(full)! : full;
        if (File.Exists(folder))
        {
            throw new InferenceException($"{folder}: is a file; the outputs need a folder there");
        }

        if (!options.Multilabel && File.Exists(full))
        {
            throw new InferenceException($"{output}: is a file; without --ml the output is a folder of one file per class");
        }

        using var staging = new StagingFolder(folder);
        if (options.SkipSegmentations)
        {
            // --skip_saving: the statistics and extra files below only
        }
        else if (options.Multilabel)
        {
            MultilabelNifti.Write(staging.File(Path.GetFileName(full)), result.Labels, result.ClassNames, result.Header);
        }
        else
        {
            foreach (var (id, name) in result.ClassNames)
            {
                cancellationToken.ThrowIfCancellationRequested();
                NiftiWriter.Write(staging.File(MaskFileName(name)), Mask(result.Labels, (byte)id), result.Header);
            }
        }

        if (options.Statistics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var report = StatisticsReport.Compute(result.Image, result.Labels, result.ClassNames, options.StatisticsOptions);
            report.WriteJson(staging.File("statistics.json"));
        }

        foreach (var (fileName, write) in options.ExtraFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            write(staging.File(fileName));
        }

        return staging.Commit();
    }

    /// <summary>The file name of one class's mask; a name that could escape the folder is refused.</summary>
    private static string MaskFileName(string className)
    {
        if (className.Length == 0 || className.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || className is "." or ".."
            || className.Contains('/', StringComparison.Ordinal) || className.Contains('\\', StringComparison.Ordinal))
        {
            throw new InferenceException($"class name '{className}' cannot be a file name");
        }

        return className + ".nii.gz";
    }

    private static Volume<byte> Mask(Volume<byte> labels, byte id)
    {
        var source = labels.Data;
        var mask = new byte[source.Length];
        // Vectorised compare: one pass, no branches per voxel.
        var vid = new System.Numerics.Vector<byte>(id);
        var one = new System.Numerics.Vector<byte>(1);
        int i = 0;
        for (; i <= source.Length - System.Numerics.Vector<byte>.Count; i += System.Numerics.Vector<byte>.Count)
        {
            var v = new System.Numerics.Vector<byte>(source, i);
            (System.Numerics.Vector.Equals(v, vid) & one).CopyTo(mask, i);
        }

        for (; i < source.Length; i++)
        {
            mask[i] = source[i] == id ? (byte)1 : (byte)0;
        }

        return new Volume<byte>(labels.Shape, labels.Affine, mask);
    }
}
