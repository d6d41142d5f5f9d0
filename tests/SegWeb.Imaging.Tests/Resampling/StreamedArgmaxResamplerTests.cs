using System.Globalization;
using SegWeb.Imaging.Resampling;
using Xunit.Abstractions;

namespace SegWeb.Imaging.Tests.ResamplingTests;

/// <summary>
/// The streamed export of logits against nnU-Net's own order of work, written in the test's Python from nnU-Net v2's
/// documented behaviour: every class's whole logit volume resampled with resample_data_or_seg_to_shape(is_seg=False,
/// order=1, order_z=0) (skimage's resize is scipy's zoom with grid_mode and mode 'nearest', see NnUNetResamplingTests;
/// clipping cannot change a linear result), then np.argmax over classes. Voxels whose two best reference scores lie
/// within 1e-5 are near ties that float32 against float64 may order either way; they are counted, not compared.
/// </summary>
public sealed class StreamedArgmaxResamplerTests(ITestOutputHelper output)
{
    private const string Script =
        """
        import sys, os, json, numpy as np
        from scipy import ndimage
        d = sys.argv[1]

        def resize(x, shape, order):
            return ndimage.zoom(x, [s / n for s, n in zip(shape, x.shape)], order=order, mode='nearest', grid_mode=True)

        """ + NnUNetPythonReference.Decide + """

        def resample(x, new_shape, cur, new):
            if list(x.shape) == list(new_shape):
                return x
            axis = decide(cur, new)
            if axis is None:
                return resize(x, new_shape, 1)
            plane = [s for i, s in enumerate(new_shape) if i != axis]
            st = np.stack([resize(np.take(x, k, axis=axis), plane, 1) for k in range(x.shape[axis])], axis)
            if st.shape[axis] != new_shape[axis]:
                coords = np.mgrid[tuple(slice(0, n) for n in new_shape)].astype(float)
                coords[axis] = st.shape[axis] / new_shape[axis] * (coords[axis] + 0.5) - 0.5
                st = ndimage.map_coordinates(st, coords, order=0, mode='nearest')
            return st

        cases = json.load(open(os.path.join(d, 'cases.json')))
        for i, c in enumerate(cases):
            logits = np.load(os.path.join(d, f'logits{i}.npy')).astype(float)
            out = np.stack([resample(l, c['shape'], c['cur'], c['new']) for l in logits])
            top = np.sort(out, axis=0)
            np.save(os.path.join(d, f'labels{i}.npy'), np.argmax(out, axis=0).astype(np.uint8))
            np.save(os.path.join(d, f'gap{i}.npy'), (top[-1] - top[-2]).astype(np.float32))
        """;

    private static readonly (string Name, int Classes, int[] Input, double[] Current, double[] Target)[] Cases =
    [
        ("3D linear, upsampled on every axis", 4, [7, 9, 6], [3, 3, 3], [1.5, 2, 2.5]),
        ("separate z along the streamed axis (nearest there)", 5, [7, 8, 7], [1.5, 1.5, 1.5], [5, 0.8, 0.8]),
        ("separate z along the last axis", 3, [9, 7, 8], [1.5, 1.5, 1.5], [0.7, 0.8, 4.5]),
        ("down and up sampled, one axis kept", 6, [11, 10, 9], [1, 1, 1], [1.6, 1, 0.7]),
        ("thick input slices on the middle axis", 7, [10, 5, 9], [0.8, 4, 0.8], [1, 1, 1]),
    ];

    [SkippableFact]
    public void Labels_equal_nnunets_resampled_logits_argmax()
    {
        ReferencePython.Require("scipy");
        using var dir = new TempDirectory("argmax-resample");
        var json = new List<string>();
        var logits = new List<float[]>();
        var shapes = new List<int[]>();
        for (int i = 0; i < Cases.Length; i++)
        {
            var c = Cases[i];
            var shape = Enumerable.Range(0, 3).Select(a => Math.Max(1, (int)Math.Round(c.Current[a] / c.Target[a] * c.Input[a], MidpointRounding.ToEven))).ToArray();
            var random = new Random(100 + i);
            var values = new float[c.Classes * c.Input[0] * c.Input[1] * c.Input[2]];
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = (float)((random.NextDouble() * 8) - 4);
            }

            Npy.Write(dir.File($"logits{i}.npy"), values, [c.Classes, .. c.Input]);
            logits.Add(values);
            shapes.Add(shape);
            json.Add(string.Create(CultureInfo.InvariantCulture,
                $"{{\"shape\":[{string.Join(",", shape)}],\"cur\":[{string.Join(",", c.Current)}],\"new\":[{string.Join(",", c.Target)}]}}"));
        }

        File.WriteAllText(dir.File("cases.json"), "[" + string.Join(",", json) + "]");
        ReferencePython.Run(Script, dir.Path);
        for (int i = 0; i < Cases.Length; i++)
        {
            var c = Cases[i];
            var labels = Resample(c.Classes, c.Input, shapes[i], c.Current, c.Target, logits[i]);
            var expected = Npy.Read(dir.File($"labels{i}.npy"));
            var gap = Npy.Read(dir.File($"gap{i}.npy"));
            Assert.Equal(shapes[i], expected.Shape);
            Assert.Equal(expected.Data.Length, labels.Length);
            int compared = 0, nearTies = 0, differing = 0;
            for (int v = 0; v < labels.Length; v++)
            {
                if (BitConverter.ToSingle(gap.Data, v * 4) < 1e-5f)
                {
                    nearTies++;
                    continue;
                }

                compared++;
                differing += labels[v] == expected.Data[v] ? 0 : 1;
            }

            output.WriteLine($"{c.Name}: {string.Join("×", c.Input)} → {string.Join("×", shapes[i])}, {compared} voxels compared, {differing} differ, {nearTies} near ties skipped");
            Assert.Equal(0, differing);
            Assert.True(nearTies <= labels.Length / 1000, $"{c.Name}: {nearTies} near ties");
            Assert.True(expected.Data.Distinct().Count() == c.Classes, $"{c.Name}: every class should win somewhere");
        }
    }

    [Fact]
    public void Planes_out_of_order_an_early_read_and_cubic_order_are_refused()
    {
        var resampler = new StreamedArgmaxResampler(2, [3, 2, 2], [5, 2, 2], [1, 1, 1]);
        Assert.Throws<ArgumentException>(() => resampler.Push(1, new float[8]));
        resampler.Push(0, new float[8]);
        Assert.Throws<ArgumentException>(() => resampler.Push(1, new float[7]));
        Assert.Throws<InvalidOperationException>(() => resampler.Labels);
        Assert.Throws<ResamplingException>(() => new StreamedArgmaxResampler(2, [3, 2, 2], [5, 2, 2], [1, 3, 1]));
    }

    /// <summary>Pushes (classes, depth, height, width) logits plane by plane, with nnU-Net's per-axis orders.</summary>
    private static byte[] Resample(int classes, int[] input, int[] shape, double[] current, double[] target, float[] logits)
    {
        var decision = NnUNetResampling.Decide((current[0], current[1], current[2]), (target[0], target[1], target[2]));
        int[] orders = [1, 1, 1];
        if (decision.LowResolutionAxis is int axis)
        {
            orders[axis] = 0;
        }

        var resampler = new StreamedArgmaxResampler(classes, input, shape, orders);
        int plane = input[1] * input[2];
        var buffer = new float[classes * plane];
        for (int d = 0; d < input[0]; d++)
        {
            for (int c = 0; c < classes; c++)
            {
                Array.Copy(logits, ((c * input[0]) + d) * plane, buffer, c * plane, plane);
            }

            resampler.Push(d, buffer);
        }

        return resampler.Labels;
    }
}
