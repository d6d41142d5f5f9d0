using System.Globalization;
using System.Text.Json;
using SegWeb.Server.Components.Viewer;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>
/// The viewer's own NIfTI reader (web/src/viewer/nifti.ts, run in Chromium) against nibabel: the affine nibabel
/// picks (img.affine), the scaled voxel values, and the label names; and bad files refused with the file named.
/// </summary>
[Collection(ViewerBrowserCollection.Name)]
public sealed class ViewerNiftiReaderTests(ViewerBrowser browser, ITestOutputHelper output)
{
    // Each case: a file nibabel writes, and the reference values nibabel reads back from it.
    private const string MakeFiles = """
        import sys, json, numpy as np, nibabel as nib
        out = sys.argv[1]
        rng = np.random.default_rng(7)
        data = rng.integers(-1000, 1500, size=(7, 6, 5)).astype(np.int16)
        cases = {}
        def save(name, img):
            nib.save(img, f"{out}/{name}")
            back = nib.load(f"{out}/{name}")
            vals = np.asarray(back.get_fdata(dtype=np.float64))
            idx = [(0, 0, 0), (6, 5, 4), (3, 2, 1), (1, 4, 3)]
            cases[name] = {"affine": back.affine.ravel().tolist(), "shape": list(back.shape[:3]),
                           "probes": [[i, j, k, float(vals[i, j, k])] for i, j, k in idx]}
        # qform only, with qfac = -1 (pixdim[0]) and a rotation: the quaternion path.
        rot = nib.eulerangles.euler2mat(0.3, -0.2, 0.1)
        aff = np.eye(4); aff[:3, :3] = rot @ np.diag([0.9, 1.1, -2.5]); aff[:3, 3] = [10, -20, 30]
        img = nib.Nifti1Image(data, None); img.set_qform(aff, code=1); img.set_sform(None, code=0)
        save("qform_only.nii.gz", img)
        # sform and a different qform: the sform wins; big-endian storage with slope/intercept.
        aff2 = np.diag([-0.7, -0.7, 3.0, 1.0]); aff2[:3, 3] = [50, 60, -70]
        hdr = nib.Nifti1Header(endianness='>')
        img = nib.Nifti1Image(data.astype('>i2'), aff2, hdr); img.set_qform(np.diag([2, 2, 2, 1]), code=1)
        img.header.set_slope_inter(0.5, -3)
        save("big_endian_scaled.nii", img)
        # float64 voxels, no spatial codes at all: the pixdim-only base affine.
        img = nib.Nifti1Image(data.astype(np.float64) / 7, None); img.header.set_zooms((1.5, 2.0, 2.5))
        img.set_qform(None, code=0); img.set_sform(None, code=0)
        save("no_codes_float64.nii.gz", img)
        print(json.dumps(cases))
        """;

    [SkippableFact]
    public async Task Reads_affines_and_values_as_nibabel_does()
    {
        browser.Require();
        ReferencePython.Require("nibabel", "numpy");
        var host = browser.Host!;
        string json = ReferencePython.Run(MakeFiles, host.Data.Path);
        using var cases = JsonDocument.Parse(json);
        await using var page = await ViewerPage.OpenAsync(browser, output, "/data/none.nii.gz", "/data/none.nii.gz", []);
        foreach (var c in cases.RootElement.EnumerateObject())
        {
            var got = await page.Page.EvaluateAsync<JsonElement>(
                $"async () => {{ const m = await import('/dist/viewer.js'); const img = await m.fetchNifti('/data/{c.Name}'); " +
                "return { affine: img.affine, shape: img.shape, voxels: Array.from(img.voxels) }; }");
            var expectedAffine = c.Value.GetProperty("affine").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var affine = got.GetProperty("affine").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int i = 0; i < 16; i++)
            {
                // float32 header fields: agree to float32 precision.
                Assert.True(Math.Abs(expectedAffine[i] - affine[i]) < 1e-4 * Math.Max(1, Math.Abs(expectedAffine[i])), $"{c.Name}: affine[{i}] {affine[i]} vs nibabel {expectedAffine[i]}");
            }

            var shape = got.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(c.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), shape);
            var voxels = got.GetProperty("voxels").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            foreach (var probe in c.Value.GetProperty("probes").EnumerateArray())
            {
                var p = probe.EnumerateArray().Select(e => e.GetDouble()).ToArray();
                int index = (int)p[0] + (shape[0] * ((int)p[1] + (shape[1] * (int)p[2])));
                Assert.True(Math.Abs(p[3] - voxels[index]) < 1e-4 * Math.Max(1, Math.Abs(p[3])), $"{c.Name}: voxel ({p[0]},{p[1]},{p[2]}) {voxels[index]} vs nibabel {p[3]}");
            }

            output.WriteLine($"{c.Name}: affine and probes agree with nibabel");
        }

        // The official segmentation's label table (TotalSegmentator's CDATA XML) comes through by name.
        string seg = TestData.Require("totalsegmentator/example_seg.nii.gz");
        host.Serve(seg, "labels.nii.gz");
        var liver = await page.Page.EvaluateAsync<string>("async () => { const m = await import('/dist/viewer.js'); const img = await m.fetchNifti('/data/labels.nii.gz', undefined, true); return img.labelTable.get(5); }");
        Assert.Equal("liver", liver);
    }

    [SkippableFact]
    public async Task Bad_files_are_refused_naming_the_file_and_the_problem()
    {
        browser.Require();
        string ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        string seg = TestData.Require("totalsegmentator/example_seg.nii.gz");
        string otherGrid = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        var host = browser.Host!;
        host.Serve(ct, "good.nii.gz");
        host.Serve(seg, "good-labels.nii.gz");
        host.Serve(otherGrid, "other-grid.nii.gz");
        var bytes = await File.ReadAllBytesAsync(ct);
        await File.WriteAllBytesAsync(host.Data.File("truncated.nii.gz"), bytes[..(bytes.Length / 2)]);
        await File.WriteAllBytesAsync(host.Data.File("not-nifti.nii"), [0x89, (byte)'P', (byte)'N', (byte)'G', .. new byte[400]]);
        var hostile = new byte[352];
        BitConverter.GetBytes(348).CopyTo(hostile, 0);
        BitConverter.GetBytes((short)3).CopyTo(hostile, 40);
        foreach (int d in new[] { 1, 2, 3 })
        {
            BitConverter.GetBytes((short)30000).CopyTo(hostile, 40 + (2 * d));
        }

        BitConverter.GetBytes((short)4).CopyTo(hostile, 70);
        BitConverter.GetBytes((short)16).CopyTo(hostile, 72);
        BitConverter.GetBytes(352f).CopyTo(hostile, 108);
        "n+1\0"u8.ToArray().CopyTo(hostile, 344);
        await File.WriteAllBytesAsync(host.Data.File("huge.nii"), hostile);

        var expectations = new (string Volume, string Labels, string Message)[]
        {
            ("/data/truncated.nii.gz", "/data/good-labels.nii.gz", "/data/truncated.nii.gz: corrupt compressed data in the voxel data"),
            ("/data/not-nifti.nii", "/data/good-labels.nii.gz", "/data/not-nifti.nii: not a NIfTI-1 file"),
            ("/data/huge.nii", "/data/good-labels.nii.gz", "/data/huge.nii: 30000×30000×30000 voxels are more than the viewer holds"),
            // A CT given as the label map: negative "labels".
            ("/data/good.nii.gz", "/data/good.nii.gz", "/data/good.nii.gz: label value -1024"),
            ("/data/good.nii.gz", "/data/missing.nii.gz", "/data/missing.nii.gz: HTTP 404"),
            ("/data/good.nii.gz", "/data/other-grid.nii.gz", "/data/other-grid.nii.gz: the label map is 512×512×20 voxels, the scan 122×101×30"),
        };
        foreach (var (volume, labels, message) in expectations)
        {
            await using var page = await ViewerPage.OpenAsync(browser, output, volume, labels, []);
            string state = await page.StateAsync();
            output.WriteLine($"{volume} + {labels}: {state}");
            Assert.StartsWith("error: " + message, state, StringComparison.Ordinal);
        }
    }
}
