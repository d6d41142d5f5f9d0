using System.Globalization;
using SegWeb.Imaging.Labels;
using SegWeb.Imaging.Statistics;

namespace SegWeb.Imaging.Tests.Statistics;

public class StatisticsJsonTests
{
    // Writes json.dump(obj, indent=4) of the same structures: names as hex UTF-8, doubles as printed with "R".
    private const string Dump = """
        import sys, json
        stats = {}
        for line in open(sys.argv[1]).read().splitlines():
            name, volume, intensity, extra = line.split("\t")
            s = stats[bytes.fromhex(name).decode("utf-8")] = {"volume": float(volume), "intensity": float(intensity)}
            if extra:
                n, std, mn, mx, cx, cy, cz, *box = extra.split(",")
                s.update(n_voxels=int(n), intensity_std=float(std), intensity_min=float(mn), intensity_max=float(mx),
                         centroid_vox=[float(cx), float(cy), float(cz)],
                         bbox_vox=[[int(box[0]), int(box[1])], [int(box[2]), int(box[3])], [int(box[4]), int(box[5])]])
        json.dump(stats, sys.stdout, indent=4)
        """;

    [SkippableFact]
    public void Json_text_is_what_pythons_json_dump_writes_for_awkward_floats_and_names()
    {
        ReferencePython.Require("json");
        double[] awkward =
        [
            0, -0.0, 1, 260010, 0.1, 1e-4, 1e-5, 0.00012345, 123456789012345.6, 1e15, 1e16, 1.5e16, 9.99e22, 5e-324,
            double.MaxValue, -33.05909, 2.4381, 1.0 / 3, 27.000000000000004, -1e-7, 4.35e-5,
        ];
        var rng = new Random(1);
        var values = awkward.Concat(Enumerable.Range(0, 60).Select(_ => Math.Round((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 20)), rng.Next(0, 8)))).ToArray();
        var structures = new List<StructureStatistics>();
        for (int i = 0; i < values.Length; i++)
        {
            string name = i switch { 0 => "quote\"back\\slash", 1 => "tab\tnewline\n\u0001", 2 => "ünïcode ✓ 𝄞", _ => $"s{i}" };
            ExtraStatistics? extra = i % 3 == 0
                ? new ExtraStatistics(i * 1000L, values[(i + 1) % values.Length], -1024, values[i], (values[i], 0.5, 1e-6), new ComponentBox(0, 1, 2, 3, 4, 5))
                : null;
            structures.Add(new StructureStatistics(i + 1, name, 0, false, false, values[i], values[(i + 7) % values.Length], extra));
        }

        using var tmp = new TempDirectory("json");
        var inv = CultureInfo.InvariantCulture;
        File.WriteAllLines(tmp.File("in.tsv"), structures.Select(s => string.Join('\t',
            Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(s.Name)), s.Volume.ToString("R", inv), s.Intensity.ToString("R", inv),
            s.Extra is { } e
                ? string.Join(',', e.VoxelCount, e.IntensityStd.ToString("R", inv), e.IntensityMin.ToString("R", inv), e.IntensityMax.ToString("R", inv),
                    e.CentroidVoxel!.Value.X.ToString("R", inv), e.CentroidVoxel!.Value.Y.ToString("R", inv), e.CentroidVoxel!.Value.Z.ToString("R", inv), "0,3,1,4,2,5")
                : "")));
        var expected = ReferencePython.Run(Dump, tmp.File("in.tsv"));
        Assert.Equal(expected, StatisticsJson.ToJson(structures));
        Assert.Equal("{}", StatisticsJson.ToJson([]));
    }

    [Fact]
    public void Writing_a_file_is_atomic_and_leaves_no_temporary_file()
    {
        using var tmp = new TempDirectory("json-file");
        var path = tmp.File("statistics.json");
        File.WriteAllText(path, "old");
        var s = new StructureStatistics(1, "liver", 10, false, false, 270, 44.5, null);
        StatisticsJson.Write(path, [s]);
        Assert.Equal(StatisticsJson.ToJson([s]), File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(tmp.Path));
        Assert.ThrowsAny<IOException>(() => StatisticsJson.Write(Path.Combine(tmp.Path, "missing", "x.json"), [s]));
        Assert.Single(Directory.GetFiles(tmp.Path));
    }
}
