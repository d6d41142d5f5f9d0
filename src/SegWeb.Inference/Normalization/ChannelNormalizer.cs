using SegWeb.Inference.Progress;
using SegWeb.Models.Packages;

namespace SegWeb.Inference.Normalization;

/// <summary>
/// nnU-Net's per-channel intensity normalisation (default_normalization_schemes.py), applied in place to float32
/// voxels in network order. Created from a model manifest's <see cref="ChannelNormalization"/>.
/// </summary>
public abstract class ChannelNormalizer
{
    /// <summary>nnU-Net's floor on a standard deviation, so a constant image does not divide by zero.</summary>
    public const double MinimumStd = 1e-8;

    /// <summary>Normalises <paramref name="values"/> in place; <paramref name="mask"/> (empty: none) marks the voxels inside the nonzero region.</summary>
    public abstract void Normalize(Span<float> values, ReadOnlySpan<bool> mask = default);

    /// <summary>The normaliser for a manifest entry; unknown schemes are an <see cref="InferenceException"/>.</summary>
    public static ChannelNormalizer Create(ChannelNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        return normalization.Scheme switch
        {
            "CTNormalization" => new CtNormalizer(
                normalization.ClipLow ?? throw Missing(nameof(normalization.ClipLow)),
                normalization.ClipHigh ?? throw Missing(nameof(normalization.ClipHigh)),
                normalization.Mean ?? throw Missing(nameof(normalization.Mean)),
                normalization.Std ?? throw Missing(nameof(normalization.Std))),
            "ZScoreNormalization" => new ZScoreNormalizer(normalization.UseMaskForNorm),
            "NoNormalization" => new IdentityNormalizer(),
            _ => throw new InferenceException($"normalization scheme '{normalization.Scheme}' is not supported (CTNormalization, ZScoreNormalization, NoNormalization)"),
        };

        static InferenceException Missing(string field) => new($"CTNormalization needs {field} in the model manifest");
    }

    /// <summary>
    /// Normalises every channel of a channels × voxels network-order image with the manifest's schemes, reporting
    /// the "normalize" stage per channel.
    /// </summary>
    public static void NormalizeChannels(float[] image, IReadOnlyList<ChannelNormalization> schemes, ReadOnlySpan<bool> mask = default,
        IProgress<InferenceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(schemes);
        if (schemes.Count == 0 || image.Length % schemes.Count != 0)
        {
            throw new InferenceException($"{image.Length} values do not split into {schemes.Count} channel(s)");
        }

        int voxels = image.Length / schemes.Count;
        var stage = new StageProgress(progress, InferenceStages.Normalize, schemes.Count);
        for (int c = 0; c < schemes.Count; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Create(schemes[c]).Normalize(image.AsSpan(c * voxels, voxels), mask);
            stage.Advance();
        }
    }
}

/// <summary>NoNormalization: values pass unchanged.</summary>
public sealed class IdentityNormalizer : ChannelNormalizer
{
    /// <inheritdoc />
    public override void Normalize(Span<float> values, ReadOnlySpan<bool> mask = default)
    {
    }
}
