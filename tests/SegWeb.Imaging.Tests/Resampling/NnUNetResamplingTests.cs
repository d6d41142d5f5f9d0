using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.ResamplingTests;

/// <summary>
/// nnU-Net's resample_data_or_seg_to_spacing, reimplemented in the test's Python from nnU-Net v2's documented
/// behaviour (default_resampling.py): skimage's resize(order, mode='edge', anti_aliasing=False, clip=True) is
/// scipy.ndimage.zoom(grid_mode=True, mode='nearest') followed by clipping to the input's range (skimage is not
/// installed here, so the test states that equivalence instead of calling it); the separate-z path resizes each
/// slice in-plane and then uses map_coordinates(order_z, mode='nearest') along the low-resolution axis.
/// Tolerance for data: 2e-6 × max|input| (float32 accumulation, see ResamplerScipyTests); segmentations exact.
/// </summary>
public class NnUNetResamplingTests
{
    private const string Script =
        """
        import sys, os, json, numpy as np
        from scipy import ndimage
        d = sys.argv[1]

        def resize(x, shape, order):
            out = ndimage.zoom(x, [s / n for s, n in zip(shape, x.shape)], order=order, mode='nearest', grid_mode=True)
            return np.clip(out, x.min(), x.max())

        def resize_seg(s, shape, order):
            if order == 0:
                return resize(s.astype(float), shape, 0).astype(s.dtype)
            out = np.zeros(shape, s.dtype)
            for c in np.unique(s):
                out[resize((s == c).astype(float), shape, order) >= 0.5] = c
            return out

        """ + NnUNetPythonReference.Decide + """

        def resample(a, cur, new, is_seg, order):
            new_shape = [int(round(i / j * k)) for i, j, k in zip(cur, new, a.shape)]
            if list(a.shape) == new_shape:
                return a, decide(cur, new)
            fn = resize_seg if is_seg else resize
            x = a if is_seg else a.astype(float)
            axis = decide(cur, new)
            if axis is None:
                return fn(x, new_shape, order), axis
            plane = [s for i, s in enumerate(new_shape) if i != axis]
            slices = [fn(np.take(x, k, axis=axis), plane, order) for k in range(x.shape[axis])]
            st = np.stack(slices, axis)
            if st.shape[axis] != new_shape[axis]:
                coords = np.mgrid[tuple(slice(0, n) for n in new_shape)].astype(float)
                scale = st.shape[axis] / new_shape[axis]
                coords[axis] = scale * (coords[axis] + 0.5) - 0.5
                st = ndimage.map_coordinates(st, coords, order=0, mode='nearest')
            return st.astype(a.dtype) if is_seg else st, axis

        cases = json.load(open(os.path.join(d, 'cases.json')))
        for i, c in enumerate(cases):
            a = np.load(os.path.join(d, f'in{i}.npy'))
            out, axis = resample(a, c['cur'], c['new'], c['seg'], c['order'])
            print(-1 if axis is None else axis)
            np.save(os.path.join(d, f'out{i}.npy'), np.asfortranarray(out.astype(np.float64)))
        """;

    private static readonly (string Name, bool Seg, (double, double, double) Current, (double, double, double) Target, int Order, int? Axis)[] Cases =
    [
        ("thick z → separate z", false, (0.8, 0.8, 4.0), (1.0, 1.0, 1.5), 3, 2),
        ("isotropic-ish → 3D order 3 with clip", false, (1.0, 1.0, 1.5), (1.5, 1.5, 1.5), 3, null),
        ("anisotropic target → separate z", false, (1.0, 1.0, 1.0), (0.6, 0.6, 2.5), 3, 2),
        ("two thick axes → 3D", false, (0.3, 1.25, 1.25), (0.8, 0.8, 0.8), 3, null),
        ("thick x → separate along x", false, (4.5, 0.7, 0.9), (1.2, 1.0, 1.0), 3, 0),
        ("seg thick z order 1", true, (0.8, 0.8, 4.0), (1.0, 1.0, 1.5), 1, 2),
        ("seg 3D order 1", true, (1.0, 1.0, 1.5), (1.5, 1.2, 1.0), 1, null),
        ("seg thick y order 3", true, (0.9, 5.0, 1.0), (1.3, 2.0, 0.7), 3, 1),
    ];

    [SkippableFact]
    public void Data_and_segmentation_agree_with_a_numpy_reimplementation_of_nnunet()
    {
        ReferencePython.Require("scipy");
        using var dir = new TempDirectory("nnunet");
        var json = new List<string>();
        var inputs = new List<Volume>();
        for (int i = 0; i < Cases.Length; i++)
        {
            var c = Cases[i];
            var affine = Affine.FromSpacing(c.Current.Item1, c.Current.Item2, c.Current.Item3);
            var shape = new VolumeShape(17, 14, 8);
            if (c.Seg)
            {
                var seg = ResamplingCases.Blobs(i, shape, [0, 2, 5, 9]).WithAffine(affine);
                Npy.WriteVolume(dir.File($"in{i}.npy"), (Volume<byte>)seg);
                inputs.Add(seg);
            }
            else
            {
                var data = ResamplingCases.SmoothInt16(i, shape, affine);
                Npy.WriteVolume(dir.File($"in{i}.npy"), data);
                inputs.Add(data);
            }

            json.Add(string.Create(CultureInfo.InvariantCulture,
                $"{{\"cur\":[{c.Current.Item1},{c.Current.Item2},{c.Current.Item3}],\"new\":[{c.Target.Item1},{c.Target.Item2},{c.Target.Item3}],\"seg\":{(c.Seg ? "true" : "false")},\"order\":{c.Order}}}"));
        }

        File.WriteAllText(dir.File("cases.json"), "[" + string.Join(",", json) + "]");
        var axes = ReferencePython.Run(Script, dir.Path).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Cases.Length, axes.Length);
        for (int i = 0; i < Cases.Length; i++)
        {
            var c = Cases[i];
            var decision = NnUNetResampling.Decide(c.Current, c.Target);
            Assert.Equal(c.Axis, decision.LowResolutionAxis);
            Assert.Equal(c.Axis?.ToString(CultureInfo.InvariantCulture) ?? "-1", axes[i]);
            Assert.Equal(c.Axis is not null, decision.SeparateZ);

            var expected = Npy.ReadVolume<double>(dir.File($"out{i}.npy"));
            if (c.Seg)
            {
                var actual = (Volume<byte>)NnUNetResampling.ResampleSegmentation(inputs[i], c.Target, c.Order);
                Assert.Equal(expected.Shape, actual.Shape);
                int diff = actual.Data.Where((v, k) => v != expected.Data[k]).Count();
                Assert.True(diff == 0, $"{c.Name}: {diff} voxels differ");
            }
            else
            {
                var actual = NnUNetResampling.ResampleData(inputs[i], c.Target, c.Order);
                Assert.Equal(expected.Shape, actual.Shape);
                double maxInput = ((Volume<short>)inputs[i]).Data.Max(v => Math.Abs((double)v));
                double worst = actual.Data.Select((v, k) => Math.Abs(v - expected.Data[k])).Max();
                Assert.True(worst <= 2e-6 * maxInput, $"{c.Name}: max |error| {worst} > {2e-6 * maxInput}");
            }
        }
    }

    [Fact]
    public void Forced_and_tied_decisions_follow_nnunet()
    {
        Assert.Equal(new SeparateZDecision(true, 2), NnUNetResampling.Decide((1, 1, 2), (1, 1, 1), forceSeparateZ: true));
        Assert.Equal(new SeparateZDecision(false, null), NnUNetResampling.Decide((1, 1, 5), (1, 1, 1), forceSeparateZ: false));
        Assert.Equal(new SeparateZDecision(false, null), NnUNetResampling.Decide((2, 2, 2), (2, 2, 2), forceSeparateZ: true));
        Assert.Equal(new SeparateZDecision(false, null), NnUNetResampling.Decide((1, 1, 3), (1, 1, 1))); // ratio 3 is not > 3
        Assert.Equal(new SeparateZDecision(true, 2), NnUNetResampling.Decide((1, 1, 3.0001), (1, 1, 1)));
    }

    [Fact]
    public void Unsupported_order_z_on_the_separate_path_is_a_typed_error()
    {
        var data = ResamplingCases.SmoothInt16(1, new VolumeShape(6, 6, 4), Affine.FromSpacing(0.8, 0.8, 5));
        Assert.Throws<ResamplingException>(() => NnUNetResampling.ResampleData(data, (1, 1, 1), 3, orderZ: 1));
    }
}
