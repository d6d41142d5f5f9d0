using System.Text.Json;
using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using Xunit.Abstractions;

namespace SegWeb.Dicom.Tests.Segmentation;

/// <summary>
/// SEGs written by <see cref="DicomSegWriter"/> pass dciodvfy, parse in dcmdump and pydicom, decode (by pydicom +
/// numpy, placed by their own geometry) to the label map written, and read back through <see cref="DicomSegReader"/>.
/// </summary>
public sealed class DicomSegWriterTests(ITestOutputHelper output)
{
    private static readonly AlgorithmIdentification Algorithm = new("SegWeb test", "0.1");

    [SkippableFact]
    public void Synthetic_labels_on_ct_3slice_round_trip_through_every_reference()
    {
        var source = DicomSeriesLoader.Load(TestData.Require("dicom/dcmqi/ct-3slice"));
        var labels = SyntheticLabels(source.Volume);
        var names = new Dictionary<int, string> { [1] = "liver", [2] = "spleen", [4] = "not_in_the_snomed_table" };
        using var tmp = new TempDirectory("seg-ct3");
        var path = tmp.File("seg.dcm");

        var result = DicomSegWriter.Write(path, labels, source, SnomedMapping.Embedded.Describe(names), Algorithm);

        Assert.Equal([1, 2, 4, 7], result.Segments.Select(s => s.LabelValue));
        Assert.Single(result.Warnings); // label 7 has no name
        CheckAgainstReferences(path, labels, source, result, tmp.Path);
        Assert.Equal("Tissue", result.Segments.Single(s => s.LabelValue == 4).Category.Meaning);
        Assert.Equal("Liver", result.Segments[0].Type.Meaning);
    }

    [SkippableTheory]
    [InlineData(20, 24, true)] // frames of 480 bits: byte-aligned
    [InlineData(11, 13, true)] // frames of 143 bits: frames start mid-byte, the last byte is padded
    [InlineData(9, 7, false)] // axial with a flipped row direction (RAS-like row cosine), 63 bits per frame
    public void Oblique_reversed_anisotropic_series_round_trips(int rows, int columns, bool oblique)
    {
        using var tmp = new TempDirectory("seg-oblique");
        SyntheticSeries.Write(tmp.File("series"), rows, columns, oblique);
        var source = DicomSeriesLoader.Load(tmp.File("series"));
        Assert.False(source.Resampled);
        var labels = SyntheticLabels(source.Volume);
        var names = new Dictionary<int, string> { [1] = "kidney_left", [2] = "kidney_right", [4] = "aorta", [7] = "heart" };
        var path = tmp.File("seg.dcm");

        var result = DicomSegWriter.Write(path, labels, source, SnomedMapping.Embedded.Describe(names), Algorithm);

        Assert.Empty(result.Warnings);
        Assert.Equal("Left", result.Segments[0].TypeModifier?.Meaning);
        CheckAgainstReferences(path, labels, source, result, tmp.Path);
    }

    [SkippableFact]
    public void Totalsegmentator_example_on_its_dicom_series_references_instances_of_the_filled_series()
    {
        var dicom = TestData.Require("totalsegmentator/example_ct_dicom");
        var niftiPath = TestData.Require("totalsegmentator/example_seg_dicom.nii.gz");
        var classes = TotalClasses();
        var source = DicomSeriesLoader.Load(dicom);
        var labels = NiftiReader.Read(niftiPath).Volume;
        using var tmp = new TempDirectory("seg-example");
        var path = tmp.File("seg.dcm");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = DicomSegWriter.Write(path, labels, source, SnomedMapping.Embedded.Describe(classes),
            Algorithm, new DicomSegWriteOptions { LabelsName = niftiPath, SourceName = dicom });
        output.WriteLine($"DicomSegWriter.Write: {clock.ElapsedMilliseconds} ms (first call, JIT included)");
        clock.Restart();
        var reread = DicomSegReader.Read(path, source);
        output.WriteLine($"DicomSegReader.Read: {clock.ElapsedMilliseconds} ms, {reread.Segments.Count} segments");

        Assert.Empty(result.Warnings);
        Assert.True(result.SourceUids.AnyGenerated);
        output.WriteLine($"{result.Segments.Count} segments, {result.FrameCount} frames, {new FileInfo(path).Length} bytes");
        var view = CheckAgainstReferences(path, labels, source, result, tmp.Path);

        // The rewritten source series holds every instance the SEG references, with the same study/series/frame UIDs.
        var filled = result.SourceUids.WriteFilledSeries(DicomInput.FromPath(dicom), tmp.File("filled"));
        Assert.Equal(20, filled.Count);
        var rescanned = DicomSeriesScanner.Scan(tmp.File("filled"));
        var series = Assert.Single(rescanned.Series);
        var uids = series.Files.Select(f => DicomFile.Open(f, DicomReadOptions.HeaderOnly).Dataset.GetUid(DicomTags.SopInstanceUid)).ToHashSet();
        Assert.NotEmpty(view.References);
        Assert.All(view.References, r => Assert.Contains(r, uids));
        Assert.Equal(series.StudyInstanceUid, view.Study);
        Assert.Equal(series.SeriesInstanceUid, view.ReferencedSeries);
        Assert.Equal(series.FrameOfReferenceUid, view.FrameOfReference);

        // Deterministic: resolving again gives the same UIDs.
        Assert.Equal(result.SourceUids.StudyInstanceUid, DicomSourceUids.Resolve(DicomSeriesLoader.Load(dicom)).StudyInstanceUid);
    }

    [SkippableFact]
    public void Label_map_on_another_grid_is_refused_naming_both()
    {
        var dir = TestData.Require("dicom/dcmqi/ct-3slice");
        var source = DicomSeriesLoader.Load(dir);
        var labels = (Volume<byte>)SyntheticLabels(source.Volume);
        var options = new DicomSegWriteOptions { LabelsName = "labels.nii.gz", SourceName = dir };
        using var tmp = new TempDirectory("seg-wrong");
        var descriptions = SnomedMapping.Embedded.Describe(new Dictionary<int, string> { [1] = "liver" });

        var shifted = labels.WithAffine(Shift(labels.Affine, 5.0));
        var e1 = Assert.ThrowsAny<SegWebException>(() => DicomSegWriter.Write(tmp.File("a.dcm"), shifted, source, descriptions, Algorithm, options));
        var cropped = new Volume<byte>(new VolumeShape(labels.Shape.X, labels.Shape.Y, 2), labels.Affine, new byte[labels.Shape.SliceSize * 2]);
        var e2 = Assert.ThrowsAny<SegWebException>(() => DicomSegWriter.Write(tmp.File("b.dcm"), cropped, source, descriptions, Algorithm, options));
        var empty = Volume<byte>.Zeros(labels.Shape, labels.Affine);
        var e3 = Assert.ThrowsAny<SegWebException>(() => DicomSegWriter.Write(tmp.File("c.dcm"), empty, source, descriptions, Algorithm, options));

        foreach (var e in new[] { e1, e2 })
        {
            Assert.Contains("labels.nii.gz", e.Message, StringComparison.Ordinal);
            Assert.Contains(dir, e.Message, StringComparison.Ordinal);
        }

        Assert.Contains("no voxel is labelled", e3.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tmp.Path)); // nothing half-written
    }

    [SkippableFact]
    public void Resampled_tilted_series_is_refused()
    {
        var dir = TestData.Require("dicom/dcm_qa_ct/GE");
        var source = DicomSeriesLoader.Load(dir);
        Assert.True(source.Resampled);
        var labels = Volume<byte>.Zeros(source.Volume.Shape, source.Volume.Affine);
        labels.Data[0] = 1;
        var e = Assert.ThrowsAny<SegWebException>(() => DicomSegWriter.Build(labels, source, [], Algorithm, new DicomSegWriteOptions { SourceName = dir }));
        Assert.Contains("resampled", e.Message, StringComparison.Ordinal);
        Assert.Contains(dir, e.Message, StringComparison.Ordinal);
    }

    /// <summary>All reference checks; returns pydicom's view.</summary>
    private SegReference.PydicomView CheckAgainstReferences(string path, Volume labels, DicomSeriesVolume source, DicomSegWriteResult result, string work)
    {
        SegReference.AssertDciodvfyClean(path, output);
        SegReference.AssertDcmdumpParses(path);
        var view = SegReference.Place(path, source.Volume, work);
        Assert.Equal(DicomUids.SegmentationStorage, view.SopClass);
        Assert.Equal("BINARY", view.Type);
        Assert.Equal(1, view.BitsAllocated);
        Assert.Equal(result.FrameCount, view.Frames);
        Assert.Equal(result.Segments.Select(s => s.Label), view.Labels);
        var expected = SegReference.ExpectedSegmentNumbers(labels, result.Segments);
        Assert.Equal(expected, view.SegmentNumbers.Data);

        // Round trip through SegWeb's reader, on the reference grid and on the SEG's own grid.
        var read = DicomSegReader.Read(path, source);
        Assert.Equal(0, read.OverlappingVoxels);
        var byName = result.Segments.ToDictionary(s => s.Label, s => s.LabelValue);
        var back = read.ToLabelMap(s => byName[s.Label]);
        for (long i = 0; i < back.Data.LongLength; i++)
        {
            if (back.Data[i] != (ushort)labels.GetValue(i))
            {
                Assert.Fail($"round trip differs at voxel {i}: {back.Data[i]} vs {labels.GetValue(i)}");
            }
        }

        var own = DicomSegReader.Read(path);
        Assert.True(own.Affine.MaxAbsDifference(source.Volume.Affine) < 1e-3 || own.Shape.Z < source.Volume.Shape.Z,
            $"own grid {own.Affine} vs source {source.Volume.Affine}");
        return view;
    }

    /// <summary>Labels 1, 2, 4, 7: a ball, a box, a thin line and a single voxel on the last slice (asymmetric on purpose).</summary>
    internal static Volume SyntheticLabels(Volume grid)
    {
        var shape = grid.Shape;
        var v = Volume<byte>.Zeros(shape, grid.Affine);
        for (int z = 0; z < shape.Z; z++)
        {
            for (int y = 0; y < shape.Y; y++)
            {
                for (int x = 0; x < shape.X; x++)
                {
                    double dx = (x - (shape.X * 0.3)) / (shape.X * 0.2), dy = (y - (shape.Y * 0.6)) / (shape.Y * 0.25);
                    if ((dx * dx) + (dy * dy) < 1 && z > 0)
                    {
                        v[x, y, z] = 1;
                    }
                    else if (x > shape.X * 0.6 && x < shape.X * 0.9 && y < shape.Y * 0.3)
                    {
                        v[x, y, z] = 2;
                    }
                    else if (y == shape.Y - 2 && z == 0)
                    {
                        v[x, y, z] = 4;
                    }
                }
            }
        }

        v[shape.X - 1, 0, shape.Z - 1] = 7;
        return v;
    }

    internal static Dictionary<int, string> TotalClasses()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.Require("totalsegmentator/totalsegmentator_tasks.json")));
        return doc.RootElement.GetProperty("class_map").GetProperty("total").EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetString()!);
    }

    private static Imaging.Geometry.Affine Shift(Imaging.Geometry.Affine a, double mm)
    {
        var m = a.ToArray();
        m[3] += mm;
        return new Imaging.Geometry.Affine(m);
    }
}
