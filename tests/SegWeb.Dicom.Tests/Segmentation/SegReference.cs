using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SegWeb.Imaging.Volumes;
using Xunit.Abstractions;

namespace SegWeb.Dicom.Tests.Segmentation;

/// <summary>
/// Independent checks of a written SEG: dicom3tools' dciodvfy (no "Error" lines), dcmtk's dcmdump (parses), and
/// pydicom + numpy, which unpack the frames and place every pixel by its own geometry (ImagePositionPatient + row and
/// column cosines × PixelSpacing, mapped through the inverse of the label volume's affine).
/// </summary>
internal static class SegReference
{
    /// <summary>pydicom reads and decodes the SEG; numpy places each frame's pixels; writes segment numbers (X,Y,Z Fortran) and facts.</summary>
    private const string PlaceScript = """
        import sys, json, numpy as np, pydicom
        seg, affine_path, out_npy, out_json = sys.argv[1:5]
        shape = tuple(int(v) for v in sys.argv[5:8])
        ds = pydicom.dcmread(seg)
        rows, cols, n = int(ds.Rows), int(ds.Columns), int(ds.NumberOfFrames)
        # pydicom's own decoding (bit unpacking, byte order) of the frames.
        arr = ds.pixel_array.reshape(n, rows, cols)
        if int(ds.BitsAllocated) == 8:
            # FRACTIONAL: SegWeb's documented rule, inside where the value is at least half of MaximumFractionalValue.
            half = (int(ds.MaximumFractionalValue) + 1) // 2
            bits = ((arr >= half) & (arr > 0)).astype(np.uint8)
        else:
            bits = arr
        inv = np.linalg.inv(np.load(affine_path))
        shared = ds.SharedFunctionalGroupsSequence[0]
        iop = np.array(shared.PlaneOrientationSequence[0].ImageOrientationPatient, dtype=float)
        dy, dx = (float(v) for v in shared.PixelMeasuresSequence[0].PixelSpacing)
        out = np.zeros(shape, dtype=np.uint16)
        refs = set()
        for f, fg in enumerate(ds.PerFrameFunctionalGroupsSequence):
            ipp = np.array(fg.PlanePositionSequence[0].ImagePositionPatient, dtype=float)
            segno = int(fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
            refs.add(str(fg.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID))
            rr, cc = np.nonzero(bits[f])
            lps = ipp[None, :] + cc[:, None] * dx * iop[None, :3] + rr[:, None] * dy * iop[None, 3:]
            ras = np.c_[-lps[:, 0], -lps[:, 1], lps[:, 2], np.ones(len(lps))]
            ijk = (inv @ ras.T).T[:, :3]
            idx = np.rint(ijk).astype(int)
            assert len(idx) == 0 or np.abs(ijk - idx).max() < 1e-2, 'frame %d off grid' % f
            i, j, k = idx.T
            out[i, j, k] = np.maximum(out[i, j, k], segno)
        for s in ds.ReferencedSeriesSequence:
            for r in s.ReferencedInstanceSequence:
                refs.add(str(r.ReferencedSOPInstanceUID))
        np.save(out_npy, np.asfortranarray(out))
        json.dump({'frames': n, 'sopClass': str(ds.SOPClassUID), 'type': str(ds.SegmentationType), 'bits': int(ds.BitsAllocated),
                   'labels': [str(s.SegmentLabel) for s in ds.SegmentSequence], 'refs': sorted(refs),
                   'study': str(ds.StudyInstanceUID), 'frameOfReference': str(ds.FrameOfReferenceUID),
                   'refSeries': str(ds.ReferencedSeriesSequence[0].SeriesInstanceUID)}, open(out_json, 'w'))
        """;

    public sealed record PydicomView(Volume<ushort> SegmentNumbers, int Frames, string SopClass, string Type, int BitsAllocated,
        List<string> Labels, List<string> References, string Study, string FrameOfReference, string ReferencedSeries);

    /// <summary>Runs dciodvfy; fails on any line starting with "Error"; prints the warnings.</summary>
    public static void AssertDciodvfyClean(string path, ITestOutputHelper output)
    {
        var (code, text) = RunTool("dciodvfy", path);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var errors = lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        foreach (var warning in lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)))
        {
            output.WriteLine($"dciodvfy {Path.GetFileName(path)}: {warning}");
        }

        Assert.True(errors.Count == 0, $"dciodvfy reports errors for {path} (exit {code}):\n{string.Join('\n', errors)}");
        Assert.Contains(lines, l => l.Contains("Segmentation", StringComparison.Ordinal));
    }

    /// <summary>dcmdump parses the whole file (exit 0, no "E:" lines) and shows the SEG's SOP class.</summary>
    public static void AssertDcmdumpParses(string path)
    {
        var (code, text) = RunTool("dcmdump", "-dc", path);
        Assert.True(code == 0 && !text.Contains("E: ", StringComparison.Ordinal), $"dcmdump failed on {path}:\n{text[..Math.Min(text.Length, 2000)]}");
        Assert.Contains("SegmentationStorage", text, StringComparison.Ordinal);
    }

    public static PydicomView Place(string segPath, Volume grid, string workDir)
    {
        ReferencePython.Require("pydicom", "numpy");
        var affinePath = Path.Combine(workDir, "affine.npy");
        Npy.Write(affinePath, grid.Affine.ToArray(), [4, 4]);
        var npy = Path.Combine(workDir, "placed.npy");
        var json = Path.Combine(workDir, "placed.json");
        ReferencePython.Run(PlaceScript, segPath, affinePath, npy, json, Str(grid.Shape.X), Str(grid.Shape.Y), Str(grid.Shape.Z));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var r = doc.RootElement;
        List<string> List(string name) => r.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();
        return new PydicomView(Npy.ReadVolume<ushort>(npy, grid.Affine), r.GetProperty("frames").GetInt32(), r.GetProperty("sopClass").GetString()!,
            r.GetProperty("type").GetString()!, r.GetProperty("bits").GetInt32(), List("labels"), List("refs"), r.GetProperty("study").GetString()!,
            r.GetProperty("frameOfReference").GetString()!, r.GetProperty("refSeries").GetString()!);
    }

    /// <summary>The label map with each label value replaced by the segment number it was written as (0 elsewhere).</summary>
    public static ushort[] ExpectedSegmentNumbers(Volume labels, IReadOnlyList<SegWeb.Dicom.Segmentation.SegmentDescription> written)
    {
        var numberOf = written.Select((s, i) => (s.LabelValue, Number: i + 1)).ToDictionary(p => p.LabelValue, p => (ushort)p.Number);
        var expected = new ushort[labels.Shape.VoxelCount];
        for (long i = 0; i < expected.LongLength; i++)
        {
            int v = (int)labels.GetValue(i);
            expected[i] = v == 0 ? (ushort)0 : numberOf[v];
        }

        return expected;
    }

    private static (int Code, string Output) RunTool(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            if (Environment.GetEnvironmentVariable("SEGWEB_REQUIRE_REFERENCES") == "1")
            {
                throw;
            }

            Skip.If(true, $"{tool} is not installed ({e.Message})");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} did not finish");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
