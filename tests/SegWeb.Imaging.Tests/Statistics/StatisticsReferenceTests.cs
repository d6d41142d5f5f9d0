using System.Globalization;
using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Statistics;
using SegWeb.Imaging.Tests.Labels;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Statistics;

/// <summary>
/// SegWeb's statistics against a NumPy re-implementation of TotalSegmentator's get_basic_statistics (statistics.py)
/// with SegWeb's extra fields, written out with Python's own json.dump(indent=4): every option combination, on the
/// real CT and on a synthetic oblique, anisotropic, scaled image whose intensities leave the int16 range.
/// </summary>
public class StatisticsReferenceTests
{
    // argv: folder. Reads image.npy (raw stored values) + scale.json {slope, inter, zooms}, or image.nii.gz; labels.npy
    // or labels.nii.gz; classes.json; writes <config>.json for each config "exclude-metric-extra".
    private const string Reference = """
        import sys, os, json
        import numpy as np
        folder = sys.argv[1]
        p = lambda n: os.path.join(folder, n)
        if os.path.exists(p("image.nii.gz")):
            import nibabel as nib
            img = nib.load(p("image.nii.gz"))
            ct = img.get_fdata().astype(np.int16)
            zooms = img.header.get_zooms()
            seg = nib.load(p("labels.nii.gz")).get_fdata()
        else:
            scale = json.load(open(p("scale.json")))
            raw = np.load(p("image.npy"))
            with np.errstate(invalid="ignore"):
                ct = (raw.astype(np.float64) * scale["slope"] + scale["inter"]).astype(np.int16)
            zooms = tuple(np.float32(z) for z in scale["zooms"])
            seg = np.load(p("labels.npy"))
        classes = {int(k): v for k, v in json.load(open(p("classes.json"))).items()}
        vox_vol = zooms[0] * zooms[1] * zooms[2]

        def touches_border(m):
            return bool(np.any(m[:3]) or np.any(m[-3:]) or np.any(m[:, :3]) or np.any(m[:, -3:])
                        or np.any(m[:, :, :3]) or np.any(m[:, :, -3:]))

        for config in sys.argv[2:]:
            exclude, metric, extra = config.split("-")
            stats = {}
            for k in sorted(classes):
                name = classes[k]
                data = seg == k
                s = stats[name] = {}
                excluded = touches_border(data) and exclude == "exclude"
                if excluded:
                    s["volume"] = 0.0
                    s["intensity"] = 0.0
                else:
                    s["volume"] = data.sum() * vox_vol
                    w = data.astype(np.uint8)
                    if w.sum() == 0:
                        s["intensity"] = 0.0
                    elif metric == "mean":
                        s["intensity"] = np.average(ct, weights=w).round(5)
                    else:
                        s["intensity"] = np.median(ct[w > 0]).round(5)
                if extra == "extra":
                    if excluded or data.sum() == 0:
                        s.update(n_voxels=0, intensity_std=0.0, intensity_min=0.0, intensity_max=0.0, centroid_vox=None, bbox_vox=None)
                    else:
                        v = ct[data]
                        idx = np.argwhere(data)
                        s["n_voxels"] = int(data.sum())
                        s["intensity_std"] = float(np.std(v).round(5))
                        s["intensity_min"] = float(np.float64(v.min()).round(5))
                        s["intensity_max"] = float(np.float64(v.max()).round(5))
                        s["centroid_vox"] = [float(c) for c in idx.mean(axis=0).round(5)]
                        s["bbox_vox"] = [[int(idx[:, a].min()), int(idx[:, a].max())] for a in range(3)]
            with open(p(config + ".json"), "w") as f:
                json.dump(stats, f, indent=4)
        """;

    private static readonly string[] Configs =
    [
        "exclude-mean-plain", "include-mean-plain", "exclude-median-plain", "include-median-plain",
        "exclude-mean-extra", "include-median-extra",
    ];

    [SkippableFact]
    public void Real_ct_and_multilabel_match_the_numpy_reference_for_every_option()
    {
        ReferencePython.Require("numpy", "nibabel");
        var imagePath = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        var labelsPath = TestData.Require("totalsegmentator/example_seg_fast.nii.gz");
        using var tmp = new TempDirectory("stats-ref");
        File.Copy(imagePath, tmp.File("image.nii.gz"));
        File.Copy(labelsPath, tmp.File("labels.nii.gz"));
        var image = NiftiReader.Read(imagePath);
        var (labels, names) = MultilabelNifti.Read(labelsPath);
        File.WriteAllText(tmp.File("classes.json"), ClassesJson(names));
        ReferencePython.Run(Reference, [tmp.Path, .. Configs]);

        foreach (var config in Configs)
        {
            var options = Options(config) with { VoxelSpacing = ExampleSegFastStatisticsTests.Zooms(image.Header) };
            var report = StatisticsReport.Compute(image.Volume, labels.Volume, names, options);
            AssertSameStatistics(File.ReadAllText(tmp.File(config + ".json")), report.ToJson(), config);
        }
    }

    [SkippableFact]
    public void Oblique_anisotropic_scaled_image_with_a_sparse_ushort_label_map_matches_the_numpy_reference()
    {
        ReferencePython.Require("numpy");
        using var tmp = new TempDirectory("stats-syn");
        var shape = new VolumeShape(37, 29, 23);
        var affine = RandomVolumes.ObliqueAnisotropic();
        var rng = new Random(5);

        // Real value = raw·1.5 − 1024.25: fractional (truncation toward zero matters on both sides of 0) and, for
        // raw above ~22500, beyond int16, where numpy's cast wraps.
        var raw = new int[shape.VoxelCount];
        for (int i = 0; i < raw.Length; i++)
        {
            raw[i] = rng.Next(10) == 0 ? rng.Next(20000, 30000) : rng.Next(-300, 1500);
        }

        var image = new Volume<int>(shape, affine, raw, slope: 1.5, intercept: -1024.25);
        var labels = RandomVolumes.LabelMap<ushort>(shape, labelCount: 6, boxes: 60, seed: 9, affine);
        foreach (ref var v in labels.Data.AsSpan())
        {
            v = v == 6 ? (ushort)300 : v; // a label beyond a byte
        }

        // A structure well inside (kept without -sii), and classes that never occur.
        for (int z = 8; z < 12; z++)
        {
            for (int y = 10; y < 15; y++)
            {
                for (int x = 12; x < 20; x++)
                {
                    labels[x, y, z] = 7;
                }
            }
        }

        var names = new Dictionary<int, string> { [1] = "a", [2] = "b", [3] = "c", [4] = "d", [5] = "e", [300] = "big", [7] = "inner", [9] = "absent" };
        Npy.WriteVolume(tmp.File("image.npy"), image);
        Npy.WriteVolume(tmp.File("labels.npy"), labels);
        File.WriteAllText(tmp.File("classes.json"), ClassesJson(names));
        var (sx, sy, sz) = image.Spacing;
        File.WriteAllText(tmp.File("scale.json"), string.Create(CultureInfo.InvariantCulture,
            $"{{\"slope\": 1.5, \"inter\": -1024.25, \"zooms\": [{sx:R}, {sy:R}, {sz:R}]}}"));
        ReferencePython.Run(Reference, [tmp.Path, .. Configs]);

        foreach (var config in Configs)
        {
            var report = StatisticsReport.Compute(image, labels, names, Options(config));
            var json = report.ToJson();
            AssertSameStatistics(File.ReadAllText(tmp.File(config + ".json")), json, config);
            Assert.Contains("\"inner\"", json, StringComparison.Ordinal);
            Assert.True(report.Structures.Single(s => s.Name == "inner").Volume > 0, "the inner box is away from the border");
        }
    }

    private static StatisticsOptions Options(string config)
    {
        var parts = config.Split('-');
        return new StatisticsOptions
        {
            IncludeIncomplete = parts[0] == "include",
            Metric = parts[1] == "median" ? IntensityMetric.Median : IntensityMetric.Mean,
            Extra = parts[2] == "extra",
        };
    }

    private static string ClassesJson(IReadOnlyDictionary<int, string> names) =>
        JsonSerializer.Serialize(names.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value));

    /// <summary>
    /// Same keys in the same order and the same numbers; the text must be identical too, except that a standard
    /// deviation may differ in its last rounded digit (numpy sums pairwise, SegWeb per slab).
    /// </summary>
    internal static void AssertSameStatistics(string expected, string actual, string what)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        var eStructures = e.RootElement.EnumerateObject().ToList();
        var aStructures = a.RootElement.EnumerateObject().ToList();
        Assert.Equal(eStructures.Select(p => p.Name), aStructures.Select(p => p.Name));
        bool stdDiffers = false;
        for (int i = 0; i < eStructures.Count; i++)
        {
            var ef = eStructures[i].Value.EnumerateObject().ToList();
            var af = aStructures[i].Value.EnumerateObject().ToList();
            Assert.Equal(ef.Select(p => p.Name), af.Select(p => p.Name));
            for (int f = 0; f < ef.Count; f++)
            {
                string where = $"{what}: {eStructures[i].Name}.{ef[f].Name}";
                if (ef[f].Name == "intensity_std")
                {
                    double ev = ef[f].Value.GetDouble(), av = af[f].Value.GetDouble();
                    Assert.True(Math.Abs(ev - av) <= 1.1e-5, $"{where}: {av} vs {ev}");
                    stdDiffers |= ev != av;
                }
                else
                {
                    Assert.True(ef[f].Value.GetRawText() == af[f].Value.GetRawText(), $"{where}: {af[f].Value.GetRawText()} vs {ef[f].Value.GetRawText()}");
                }
            }
        }

        if (!stdDiffers)
        {
            Assert.Equal(expected, actual);
        }
    }
}
