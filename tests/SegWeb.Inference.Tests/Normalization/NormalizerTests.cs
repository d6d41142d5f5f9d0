using SegWeb.Inference.Normalization;
using SegWeb.Inference.Progress;
using SegWeb.Models.Packages;

namespace SegWeb.Inference.Tests.Normalization;

public sealed class NormalizerTests
{
    [SkippableFact]
    public void Ct_and_zscore_normalisation_match_numpy()
    {
        ReferencePython.Require("numpy");
        using var dir = new TempDirectory();
        var random = new Random(7);
        var values = Enumerable.Range(0, 5000).Select(_ => (float)Math.Round((random.NextDouble() * 3000) - 1200)).ToArray();
        var mask = values.Select(v => v > -500).ToArray();
        Npy.Write(dir.File("x.npy"), values, [values.Length]);
        Npy.Write(dir.File("m.npy"), mask.Select(b => b ? (byte)1 : (byte)0).ToArray(), [values.Length]);
        const string script = """
            import sys
            import numpy as np
            x = np.load(sys.argv[1]); m = np.load(sys.argv[2]).astype(bool); out = sys.argv[3]
            ct = x.copy(); np.clip(ct, -980.0, 1200.0, out=ct); ct -= 90.5; ct /= max(200.25, 1e-8)
            z = x.copy(); z -= z.mean(); z /= max(z.std(), 1e-8)
            zm = x.copy(); zm[m] = (zm[m] - zm[m].mean()) / max(zm[m].std(), 1e-8)
            np.save(out + "/ct.npy", ct); np.save(out + "/z.npy", z); np.save(out + "/zm.npy", zm)
            """;
        ReferencePython.Run(script, dir.File("x.npy"), dir.File("m.npy"), dir.Path);

        var ct = values.ToArray();
        ChannelNormalizer.Create(new ChannelNormalization { Scheme = "CTNormalization", ClipLow = -980, ClipHigh = 1200, Mean = 90.5, Std = 200.25 }).Normalize(ct);
        Assert.Equal(ReferenceScript.ReadFloats(dir.File("ct.npy")), ct);

        var z = values.ToArray();
        ChannelNormalizer.Create(new ChannelNormalization { Scheme = "ZScoreNormalization" }).Normalize(z);
        AssertClose(ReferenceScript.ReadFloats(dir.File("z.npy")), z);

        var zm = values.ToArray();
        ChannelNormalizer.Create(new ChannelNormalization { Scheme = "ZScoreNormalization", UseMaskForNorm = true }).Normalize(zm, mask);
        AssertClose(ReferenceScript.ReadFloats(dir.File("zm.npy")), zm);
        Assert.Equal(values.Where((_, i) => !mask[i]), zm.Where((_, i) => !mask[i]));
    }

    [Fact]
    public void Channels_are_normalised_with_their_own_scheme_and_unknown_schemes_refused()
    {
        var image = new float[] { -2000, 0, 3000, 1, 2, 3 };
        var events = new List<InferenceProgress>();
        ChannelNormalizer.NormalizeChannels(image,
        [
            new ChannelNormalization { Scheme = "CTNormalization", ClipLow = -1000, ClipHigh = 1000, Mean = 0, Std = 100 },
            new ChannelNormalization { Scheme = "ZScoreNormalization" },
        ], progress: new Recorder(events));
        Assert.Equal(new[] { 0, 0.5, 1 }, events.Select(e => e.Fraction));
        Assert.All(events, e => Assert.Equal(InferenceStages.Normalize, e.Stage));
        Assert.Equal(new float[] { -10, 0, 10 }, image[..3]);
        Assert.Equal(0, image[4], 6);
        Assert.Equal(-image[3], image[5], 6);
        Assert.Throws<InferenceException>(() => ChannelNormalizer.Create(new ChannelNormalization { Scheme = "RGBTo01Normalization" }));
        Assert.Throws<InferenceException>(() => ChannelNormalizer.Create(new ChannelNormalization { Scheme = "CTNormalization", ClipLow = 0 }));
        var constant = new float[] { 5, 5, 5 };
        new ZScoreNormalizer().Normalize(constant);
        Assert.All(constant, v => Assert.Equal(0, v));
    }

    private sealed class Recorder(List<InferenceProgress> events) : IProgress<InferenceProgress>
    {
        public void Report(InferenceProgress value) => events.Add(value);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{i}: {actual[i]} vs {expected[i]}");
        }
    }
}
