using System.Globalization;
using System.Runtime.InteropServices;
using SegWeb.Dicom.Series;
using SegWeb.Dicom.Tests.Support;

namespace SegWeb.Dicom.Tests.Series;

/// <summary>
/// Series with gantry tilt (GE head CT, 18.5°, 1.1–7.4 mm gaps) or uneven spacing (CT2: a 202.5 mm gap then
/// 1.25 mm). Stacked as-is they equal dcm2niix's unequalised stack; resampled (the default) they carry warnings,
/// an orthogonal affine, and values equal to an independent numpy/scipy/pydicom interpolation at the same world
/// points.
/// </summary>
public sealed class IrregularSeriesTests
{
    private const string InterpolationScript = """
        import sys, json, glob, os
        import numpy as np, pydicom
        from scipy.ndimage import map_coordinates
        folder, request = sys.argv[1], json.load(open(sys.argv[2]))
        slices = []
        for f in sorted(glob.glob(os.path.join(folder, '*'))):
            try:
                ds = pydicom.dcmread(f)
            except Exception:
                continue
            if 'PixelData' not in ds:
                continue
            arr = ds.pixel_array.astype(np.float64) * float(getattr(ds, 'RescaleSlope', 1)) + float(getattr(ds, 'RescaleIntercept', 0))
            slices.append((np.array(ds.ImagePositionPatient, float), np.array(ds.ImageOrientationPatient, float), np.array(ds.PixelSpacing, float), arr))
        r, c = slices[0][1][:3], slices[0][1][3:]
        n = np.cross(r, c)
        slices.sort(key=lambda s: s[0] @ n)
        heights = np.array([s[0] @ n for s in slices])
        A = np.array(request['affine']).reshape(4, 4)
        out = []
        for ijk in request['voxels']:
            ras = A @ np.array([ijk[0], ijk[1], ijk[2], 1.0])
            p = np.array([-ras[0], -ras[1], ras[2]])  # RAS -> LPS
            h = p @ n
            if h < heights[0] - 1e-6 or h > heights[-1] + 1e-6:
                out.append(None); continue
            s = int(np.clip(np.searchsorted(heights, h, side='right') - 1, 0, len(slices) - 1))
            def sample(k):
                pos, _, sp, arr = slices[k]
                col = (p - pos) @ r / sp[1]
                row = (p - pos) @ c / sp[0]
                if col < -1e-6 or row < -1e-6 or col > arr.shape[1] - 1 + 1e-6 or row > arr.shape[0] - 1 + 1e-6:
                    return None
                return float(map_coordinates(arr, [[min(max(row, 0), arr.shape[0] - 1)], [min(max(col, 0), arr.shape[1] - 1)]], order=1)[0])
            if s == len(slices) - 1 or abs(h - heights[s]) < 1e-9:
                out.append(sample(s)); continue
            w = (h - heights[s]) / (heights[s + 1] - heights[s])
            a, b = sample(s), sample(s + 1)
            out.append(None if a is None or b is None else (1 - w) * a + w * b)
        print(json.dumps(out))
        """;

    [SkippableTheory]
    [InlineData("GE_tilt", "gantry tilt")]
    [InlineData("CT2", "uneven slice spacing")]
    public void Stacked_without_resampling_the_values_equal_dcm2niix_unequalised_output(string name, string expectedWarning)
    {
        var reference = Dcm2niixReference.For(name)["ref"];
        var loaded = DicomSeriesLoader.Load(Path.Combine(TestData.Root, Dcm2niixReference.Cases[name]), options: new DicomLoadOptions { ResampleIrregular = false });
        Assert.False(loaded.Resampled);
        Assert.Contains(loaded.Warnings, w => w.Contains(expectedWarning, StringComparison.Ordinal) && w.Contains("NOT corrected", StringComparison.Ordinal));
        Assert.Equal(reference.Shape, new[] { loaded.Volume.Shape.X, loaded.Volume.Shape.Y, loaded.Volume.Shape.Z });

        // The row axis and the origin agree. dcm2niix writes a sheared stack with its own slice step estimate (and,
        // for tilt, a y axis stretched by 1/cos(tilt) so that the step is vertical), so those columns are its choice.
        for (int row = 0; row < 3; row++)
        {
            foreach (int col in new[] { 0, 3 })
            {
                Assert.True(Math.Abs(loaded.Volume.Affine[row, col] - reference.Affine[row, col]) < 1e-3, $"affine[{row},{col}]: {loaded.Volume.Affine[row, col]} vs dcm2niix {reference.Affine[row, col]}");
            }
        }

        Dcm2niixComparisonTests.AssertSameValues(reference.NpyPath, loaded.Volume);
    }

    [SkippableTheory]
    [InlineData("GE_tilt", "gantry tilt")]
    [InlineData("CT2", "uneven slice spacing")]
    public void Resampled_volume_matches_an_independent_interpolation_on_an_orthogonal_grid(string name, string expectedWarning)
    {
        ReferencePython.Require("pydicom", "scipy", "numpy");
        var folder = TestData.Require(Dcm2niixReference.Cases[name]);
        var loaded = DicomSeriesLoader.Load(folder);
        var volume = loaded.Volume;
        Console.WriteLine($"{name}: {volume.Shape} {volume.VoxelType}\n{volume.Affine}\nwarnings: {string.Join("; ", loaded.Warnings)}");
        Assert.True(loaded.Resampled);
        Assert.Contains(loaded.Warnings, w => w.Contains(expectedWarning, StringComparison.Ordinal) && w.Contains("resampled", StringComparison.Ordinal));

        // The resampled grid is orthogonal (no shear left).
        for (int a = 0; a < 3; a++)
        {
            for (int b = a + 1; b < 3; b++)
            {
                double dot = Enumerable.Range(0, 3).Sum(r => volume.Affine[r, a] * volume.Affine[r, b]);
                Assert.True(Math.Abs(dot) < 1e-6, $"axes {a} and {b} are not orthogonal (dot {dot})");
            }
        }

        var random = new Random(1234);
        var voxels = Enumerable.Range(0, 3000).Select(_ => new[] { random.Next(volume.Shape.X), random.Next(volume.Shape.Y), random.Next(volume.Shape.Z) }).ToList();
        using var tmp = new TempDirectory("dicom-resample");
        var request = tmp.File("request.json");
        File.WriteAllText(request, System.Text.Json.JsonSerializer.Serialize(new { affine = volume.Affine.ToArray(), voxels }));
        var expected = System.Text.Json.JsonSerializer.Deserialize<double?[]>(ReferencePython.Run(InterpolationScript, folder, request))!;
        int compared = 0;
        for (int n = 0; n < voxels.Count; n++)
        {
            if (expected[n] is not { } e)
            {
                continue;
            }

            var v = voxels[n];
            double actual = volume.GetValue(volume.Shape.IndexOf(v[0], v[1], v[2]));
            Assert.True(Math.Abs(actual - e) < 0.01 + (1e-5 * Math.Abs(e)), string.Create(CultureInfo.InvariantCulture, $"voxel ({v[0]},{v[1]},{v[2]}): SegWeb {actual}, reference {e}"));
            compared++;
        }

        Console.WriteLine($"{compared} of {voxels.Count} sampled voxels lie inside the data and agree");
        Assert.True(compared > voxels.Count / 3, $"only {compared} voxels compared");
    }
}
