using System.Globalization;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb convert` through the real command tree, checked against nibabel and the input itself.</summary>
public sealed class ConvertCommandTests
{
    private const string ExampleCt = "totalsegmentator/example_ct_sm.nii.gz";
    private const string ExampleSeg = "totalsegmentator/example_seg.nii.gz";

    [SkippableFact]
    public void Convert_to_LPS_equals_nibabel_reorientation()
    {
        var input = TestData.Require(ExampleCt);
        ReferencePython.Require("nibabel");
        using var dir = new TempDirectory("convert-lps");
        var output = dir.File("lps.nii.gz");

        var (code, stdout, stderr) = TasksCommandTests.Run("convert", input, output, "--orientation", "LPS");

        Assert.True(code == 0, stderr);
        Assert.Single(stdout.Trim().Split('\n'));
        Assert.Contains("LPS", stdout, StringComparison.Ordinal);
        ReferencePython.Run(
            """
            import sys, numpy as np, nibabel as nib
            from nibabel.orientations import io_orientation, axcodes2ornt, ornt_transform
            img = nib.load(sys.argv[1])
            out = img.as_reoriented(ornt_transform(io_orientation(img.affine), axcodes2ornt('LPS')))
            np.save(sys.argv[2], np.asfortranarray(np.asanyarray(out.dataobj)))
            np.save(sys.argv[3], out.affine)
            """, input, dir.File("expected.npy"), dir.File("affine.npy"));
        var written = (Volume<short>)NiftiReader.Read(output).Volume;
        var expected = Npy.ReadVolume<short>(dir.File("expected.npy"));
        Assert.Equal(expected.Shape, written.Shape);
        Assert.True(written.Data.AsSpan().SequenceEqual(expected.Data), "voxels differ from nibabel's");
        var affine = new Affine(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(Npy.Read(dir.File("affine.npy")).Data));
        // The sform is stored as float32: compare to float32 precision of coordinates of a few hundred mm.
        Assert.True(affine.MaxAbsDifference(written.Affine) < 1e-4, $"{written.Affine}\nvs nibabel\n{affine}");
        Assert.Equal("LPS", Orientation.AxisCodes(written.Affine));
        Assert.Equal(new[] { "lps.nii.gz", "expected.npy", "affine.npy" }.Order(), Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [SkippableFact]
    public void Spacing_gives_the_expected_shape_and_affine()
    {
        var input = TestData.Require(ExampleCt);
        using var dir = new TempDirectory("convert-spacing");
        var output = dir.File("out.nii");
        var original = NiftiReader.Read(input).Volume;

        var (code, stdout, stderr) = TasksCommandTests.Run("convert", input, output, "--spacing", "2,4.5,1.2", "--order", "1", "--orientation", "PIR");

        Assert.True(code == 0, stderr);
        Assert.Contains("order 1", stdout, StringComparison.Ordinal);
        var written = NiftiReader.Read(output).Volume;
        Assert.Equal(VoxelType.Float32, written.VoxelType);
        var reoriented = Reorientation.ToOrientation(original, "PIR").Volume;
        var (sx, sy, sz) = reoriented.Spacing;
        var shape = new VolumeShape(
            (int)Math.Round(reoriented.Shape.X * sx / 2, MidpointRounding.ToEven),
            (int)Math.Round(reoriented.Shape.Y * sy / 4.5, MidpointRounding.ToEven),
            (int)Math.Round(reoriented.Shape.Z * sz / 1.2, MidpointRounding.ToEven));
        Assert.Equal(shape, written.Shape);
        Assert.Equal("PIR", Orientation.AxisCodes(written.Affine));

        // Same field of view: the outer faces of the first and last voxels land on the same world points.
        foreach (var (fx, fy, fz) in new[] { (0, 0, 0), (1, 1, 1), (1, 0, 1) })
        {
            var a = reoriented.Affine.Apply(Face(fx, reoriented.Shape.X), Face(fy, reoriented.Shape.Y), Face(fz, reoriented.Shape.Z));
            var b = written.Affine.Apply(Face(fx, shape.X), Face(fy, shape.Y), Face(fz, shape.Z));
            Assert.True(Math.Abs(a.X - b.X) < 1e-3 && Math.Abs(a.Y - b.Y) < 1e-3 && Math.Abs(a.Z - b.Z) < 1e-3, $"{a} vs {b}");
        }

        // And the voxels are the library's resampling of the reoriented input.
        var expected = Resampler.ToShape(reoriented, shape, 1);
        Assert.Equal(expected.Data, ((Volume<float>)written).Data);
    }

    [SkippableFact]
    public void Labels_introduce_no_new_labels_and_keep_names()
    {
        var input = TestData.Require(ExampleSeg);
        using var dir = new TempDirectory("convert-labels");
        var source = dir.File("named.nii.gz");
        var seg = NiftiReader.Read(input).Volume;
        var present = ((Volume<byte>)seg).Data.Distinct().ToHashSet();
        var names = present.Where(v => v != 0).ToDictionary(v => (int)v, v => $"organ {v}");
        MultilabelNifti.Write(source, seg, names);

        foreach (var order in new[] { "0", "1" })
        {
            var output = dir.File($"labels{order}.nii.gz");
            var (code, _, stderr) = TasksCommandTests.Run("convert", source, output, "--labels", "--spacing", "1.7", "--order", order, "--orientation", "LAS");
            Assert.True(code == 0, stderr);
            var (image, readNames) = MultilabelNifti.Read(output);
            var values = ((Volume<byte>)image.Volume).Data.Distinct().ToHashSet();
            Assert.True(values.IsSubsetOf(present), $"order {order}: new labels {string.Join(",", values.Except(present))}");
            Assert.True(values.Count > present.Count / 2, $"order {order}: only {values.Count} of {present.Count} labels survived");
            Assert.Equal(names.OrderBy(p => p.Key), readNames.OrderBy(p => p.Key));
            Assert.Equal("LAS", Orientation.AxisCodes(image.Volume.Affine));
        }
    }

    [Fact]
    public void Bad_input_is_one_line_naming_the_file_and_leaves_no_output()
    {
        using var dir = new TempDirectory("convert-bad");
        var truncated = dir.File("truncated.nii.gz");
        var good = new Volume<short>(new VolumeShape(20, 20, 20), Affine.FromSpacing(1, 1, 1), new short[8000]);
        NiftiWriter.Write(truncated, good);
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var output = dir.File("out.nii.gz");

        foreach (var args in new[]
        {
            new[] { "convert", truncated, output },
            new[] { "convert", dir.File("missing.nii.gz"), output },
            new[] { "convert", truncated, output, "--spacing", "0,1,1" },
            new[] { "convert", truncated, output, "--orientation", "RAR" },
            new[] { "convert", truncated, dir.File("out.mha") },
        })
        {
            var (code, stdout, stderr) = TasksCommandTests.Run(args);
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            var lines = stderr.Trim().Split('\n');
            Assert.Single(lines);
            Assert.True(
                lines[0].Contains(args[1], StringComparison.Ordinal) || lines[0].Contains("--", StringComparison.Ordinal) || lines[0].Contains(args[2], StringComparison.Ordinal),
                lines[0]);
            Assert.Equal(new[] { "truncated.nii.gz" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        }

        // A truncated file is named in its own error line.
        var (_, _, err) = TasksCommandTests.Run("convert", truncated, output);
        Assert.StartsWith($"segweb: {truncated}:", err, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Dicom_series_converts_with_the_reference_geometry_and_series_is_checked()
    {
        var dicom = TestData.Require("totalsegmentator/example_ct_dicom");
        var reference = NiftiReader.Read(TestData.Require("totalsegmentator/example_seg_dicom.nii.gz")).Volume;
        using var dir = new TempDirectory("convert-dicom");
        var output = dir.File("ct.nii.gz");

        var (code, stdout, stderr) = TasksCommandTests.Run("convert", dicom, output);

        Assert.True(code == 0, stderr);
        Assert.Contains("512×512×20", stdout, StringComparison.Ordinal);
        var written = NiftiReader.Read(output).Volume;
        Assert.Equal(reference.Shape, written.Shape);
        // TotalSegmentator's output for this series carries the dcm2niix geometry of the input.
        Assert.True(reference.Affine.MaxAbsDifference(written.Affine) < 1e-3, $"{written.Affine}\nvs reference\n{reference.Affine}");
        Assert.InRange(written.GetValue(written.Shape.IndexOf(256, 256, 10)), -1100, 3000);

        var (bad, badOut, badErr) = TasksCommandTests.Run("convert", dicom, dir.File("other.nii.gz"), "--series", "1.2.3.4.no.such.series");
        Assert.Equal(1, bad);
        Assert.Equal("", badOut);
        Assert.Single(badErr.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("other.nii.gz")));
    }

    [SkippableFact]
    public void Gantry_tilted_series_is_resampled_and_the_warning_is_printed()
    {
        var tilted = TestData.Require("dicom/dcm_qa_ct/GE");
        using var dir = new TempDirectory("convert-tilt");
        var output = dir.File("tilt.nii.gz");

        var (code, stdout, stderr) = TasksCommandTests.Run("convert", tilted, output);

        Assert.True(code == 0, stderr);
        Assert.Matches(@"warning: \S+: gantry tilt of about [0-9.]+° .*resampled", stdout);
        Assert.True(File.Exists(output));
    }

    private static double Face(int far, int n) => far == 1 ? n - 0.5 : -0.5;
}
