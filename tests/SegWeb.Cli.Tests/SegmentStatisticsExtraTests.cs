using System.Text.Json;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb segment -se`: statistics.json with the extra fields, checked against nibabel/NumPy on the written masks.</summary>
public sealed class SegmentStatisticsExtraTests(SegmentDemoModelFixture model) : IClassFixture<SegmentDemoModelFixture>
{
    [SkippableFact]
    public void Statistics_extra_adds_voxel_counts_and_intensity_spread_that_numpy_reproduces()
    {
        var ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        ReferencePython.Require("nibabel", "numpy");
        using var tmp = new TempDirectory("segment-se");
        var output = tmp.File("seg.nii.gz");

        var (code, _, stderr) = TasksCommandTests.Run("segment", "-i", ct, "-o", output, "--ml", "-se", "-sii", "-q", "--model", model.PackageDirectory);

        Assert.True(code == 0, stderr);
        var statistics = tmp.File("statistics.json");
        using (var json = JsonDocument.Parse(File.ReadAllText(statistics)))
        {
            var liver = json.RootElement.GetProperty("liver");
            Assert.True(liver.GetProperty("n_voxels").GetInt64() > 1000);
        }

        const string script = """
            import json, sys
            import nibabel as nib, numpy as np
            ct = nib.load(sys.argv[1]); seg = np.asarray(nib.load(sys.argv[2]).dataobj)
            data = ct.get_fdata().astype(np.int16)
            stats = json.load(open(sys.argv[3]))
            names = {1: "spleen", 2: "kidney_right", 3: "kidney_left", 4: "liver", 5: "stomach", 6: "autochthon_left", 7: "autochthon_right"}
            for key, name in names.items():
                m = seg == key
                s = stats[name]
                assert s["n_voxels"] == int(m.sum()), (name, s["n_voxels"], int(m.sum()))
                assert abs(s["intensity_std"] - float(data[m].std())) < 1e-3, (name, s["intensity_std"], data[m].std())
                assert s["intensity_min"] == float(data[m].min()) and s["intensity_max"] == float(data[m].max()), name
            print("ok")
            """;
        Assert.Equal("ok", ReferencePython.Run(script, ct, output, statistics).Trim());
    }
}
