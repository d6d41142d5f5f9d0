using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.ResamplingTests;

/// <summary>Label maps: nearest equals scipy order 0; per-label linear + argmax equals a NumPy reimplementation; never a new label.</summary>
public class LabelResamplerTests
{
    private const string Script =
        """
        import sys, os, numpy as np
        from scipy import ndimage
        d = sys.argv[1]
        shape = [int(v) for v in sys.argv[2].split(',')]
        a = np.load(os.path.join(d, 'labels.npy'))
        f = [s / n for s, n in zip(shape, a.shape)]
        near = ndimage.zoom(a, f, order=0, mode='nearest', grid_mode=True)
        labels = np.unique(a)
        stack = np.stack([ndimage.zoom((a == l).astype(np.float64), f, order=1, mode='nearest', grid_mode=True) for l in labels])
        # second-best margin, to tell float32-vs-float64 near-ties from real disagreements
        srt = np.sort(stack, axis=0)
        margin = srt[-1] - srt[-2] if len(labels) > 1 else np.full(stack.shape[1:], 1.0)
        np.save(os.path.join(d, 'near.npy'), np.asfortranarray(near))
        np.save(os.path.join(d, 'argmax.npy'), np.asfortranarray(labels[np.argmax(stack, axis=0)]))
        np.save(os.path.join(d, 'margin.npy'), np.asfortranarray(margin))
        """;

    [SkippableFact]
    public void Nearest_and_linear_argmax_agree_with_scipy_and_numpy()
    {
        ReferencePython.Require("scipy");
        var labels = ResamplingCases.Blobs(11, new VolumeShape(19, 17, 9), [0, 3, 7, 8, 200]);
        var shape = new VolumeShape(12, 25, 14);
        using var dir = new TempDirectory("labels");
        Npy.WriteVolume(dir.File("labels.npy"), labels);
        ReferencePython.Run(Script, dir.Path, string.Create(CultureInfo.InvariantCulture, $"{shape.X},{shape.Y},{shape.Z}"));

        var nearest = (Volume<byte>)LabelResampler.ResampleLabels(labels, shape);
        Assert.Equal(Npy.ReadVolume<byte>(dir.File("near.npy")).Data, nearest.Data);

        var argmax = (Volume<byte>)LabelResampler.ResampleLabels(labels, shape, LabelInterpolation.LinearArgmax);
        var expected = Npy.ReadVolume<byte>(dir.File("argmax.npy")).Data;
        var margin = Npy.ReadVolume<double>(dir.File("margin.npy")).Data;
        int differences = 0, exactTies = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (margin[i] == 0)
            {
                exactTies++;
            }

            if (argmax.Data[i] != expected[i])
            {
                // Only a near-tie (float32 vs float64 rounding) may decide differently.
                Assert.True(margin[i] < 1e-6, $"voxel {i}: {argmax.Data[i]} vs NumPy {expected[i]}, margin {margin[i]}");
                differences++;
            }
        }

        Assert.True(differences <= 2, $"{differences} near-tie differences");
        Assert.True(argmax.Data.Distinct().All(v => v is 0 or 3 or 7 or 8 or 200));
        Assert.True(nearest.Data.Distinct().All(v => v is 0 or 3 or 7 or 8 or 200));
        Assert.True(Resampler.ResampledAffine(labels.Affine, labels.Shape, shape).Equals(argmax.Affine));
    }

    [Theory]
    [InlineData(LabelInterpolation.Nearest)]
    [InlineData(LabelInterpolation.LinearArgmax)]
    public void No_label_is_invented_on_up_and_down_sampling(LabelInterpolation mode)
    {
        var labels = ResamplingCases.Blobs(5, new VolumeShape(15, 14, 6), [1, 2, 40]); // no background at all
        foreach (var shape in new[] { new VolumeShape(7, 30, 13), new VolumeShape(31, 5, 2) })
        {
            var result = LabelResampler.ResampleLabels(labels.WithAffine(GeometryTests.GeometryCases.Permuted("LPS", (0.8, 0.8, 3), (1, 2, 3))), shape, mode);
            var values = ((Volume<byte>)result).Data.Distinct().Order().ToArray();
            Assert.Subset(new HashSet<byte> { 1, 2, 40 }, values.ToHashSet());
            Assert.Equal("LPS", Orientation.AxisCodes(result.Affine));
        }
    }

    [Fact]
    public void Large_labels_of_wide_types_are_kept_exactly()
    {
        var data = new int[4 * 4 * 4];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = i < 32 ? 16_777_217 : -5; // not representable in float32: must not pass through float
        }

        var volume = new Volume<int>(new VolumeShape(4, 4, 4), Affine.Identity, data);
        foreach (var mode in new[] { LabelInterpolation.Nearest, LabelInterpolation.LinearArgmax })
        {
            var result = (Volume<int>)LabelResampler.ResampleLabels(volume, new VolumeShape(3, 5, 7), mode);
            Assert.Equal(new[] { -5, 16_777_217 }, result.Data.Distinct().Order());
        }
    }
}
