using System.Globalization;
using System.Text.Json;
using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;
using Xunit.Abstractions;

namespace SegWeb.Dicom.Tests.Segmentation;

/// <summary>
/// Reading third-party SEGs: dcmqi's against the NRRD label maps they were made from (read by a small numpy NRRD
/// reader, compared voxel by voxel through world coordinates), highdicom's against pydicom's unpacking; bad input.
/// </summary>
public sealed class DicomSegReaderTests(ITestOutputHelper output)
{
    /// <summary>
    /// For each of our masks (label → mask.npy, X,Y,Z on our RAS affine), the NRRD voxel at the same world point;
    /// NRRD files and label ids come from dcmqi's JSON. Prints "label mismatches voxels".
    /// </summary>
    private const string NrrdCompareScript = """
        import sys, json, gzip, numpy as np
        work, dcmqi, meta = sys.argv[1:4]
        nrrds = sys.argv[4:]
        def read_nrrd(path):
            raw = open(path, 'rb').read()
            head, body = raw.split(b'\n\n', 1)
            fields = dict(l.split(': ', 1) for l in head.decode().splitlines()[1:] if ': ' in l and not l.startswith('#'))
            assert fields['space'] == 'left-posterior-superior' and fields['endian'] == 'little'
            data = gzip.decompress(body) if fields['encoding'] == 'gzip' else body
            sizes = [int(v) for v in fields['sizes'].split()]
            dtype = {'short': '<i2', 'unsigned char': 'u1', 'unsigned short': '<u2', 'int': '<i4'}[fields['type']]
            arr = np.frombuffer(data, dtype=dtype).reshape(sizes[::-1]).transpose(2, 1, 0)
            dirs = np.array([[float(x) for x in d.strip('()').split(',')] for d in fields['space directions'].split()]).T
            origin = np.array([float(x) for x in fields['space origin'].strip('()').split(',')])
            return arr, dirs, origin
        info = json.load(open(meta))
        affine = np.load(work + '/affine.npy')
        attrs = json.load(open(dcmqi))['segmentAttributes']
        shape = tuple(info['shape'])
        ii, jj, kk = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
        ras = affine @ np.stack([ii.ravel(order='F'), jj.ravel(order='F'), kk.ravel(order='F'), np.ones(ii.size)])
        lps = np.stack([-ras[0], -ras[1], ras[2]])
        for path, group in zip(nrrds, attrs):
            arr, dirs, origin = read_nrrd(path)
            idx = np.linalg.solve(dirs, lps - origin[:, None])
            r = np.rint(idx).astype(int)
            assert np.abs(idx - r).max() < 0.05, 'grids do not align'
            inside = np.all((r >= 0) & (r < np.array(arr.shape)[:, None]), axis=0)
            values = np.zeros(ii.size, dtype=arr.dtype)
            values[inside] = arr[r[0, inside], r[1, inside], r[2, inside]]
            for a in group:
                ours = np.load(work + '/' + info['masks'][a['SegmentLabel']]).ravel(order='F')
                expected = (values == a['labelID']).astype(np.uint8)
                print(a['SegmentLabel'], int((ours != expected).sum()), int(expected.sum()))
        """;

    [SkippableTheory]
    [InlineData("liver.dcm", "seg-example.json", new[] { "liver_seg.nrrd" })]
    [InlineData("partial_overlaps.dcm", "seg-example_partial_overlaps.json", new[] { "partial_overlaps-1.nrrd", "partial_overlaps-2.nrrd", "partial_overlaps-3.nrrd" })]
    public void Dcmqi_segs_equal_their_nrrd_sources_on_the_ct_3slice_grid(string seg, string json, string[] nrrds)
    {
        ReferencePython.Require("numpy");
        var reference = DicomSeriesLoader.Load(TestData.Require("dicom/dcmqi/ct-3slice"));
        var read = DicomSegReader.Read(TestData.Require("dicom/dcmqi/" + seg), reference);
        Assert.Equal(reference.Volume.Shape, read.Shape);
        Assert.Equal("BINARY", read.SegmentationType);

        using var tmp = new TempDirectory("seg-dcmqi");
        Npy.Write(tmp.File("affine.npy"), read.Affine.ToArray(), [4, 4]);
        var masks = new Dictionary<string, string>();
        foreach (var s in read.Segments)
        {
            var name = $"mask{s.Number}.npy";
            Npy.WriteVolume(tmp.File(name), read.GetMask(s.Number));
            masks[s.Label] = name;
        }

        File.WriteAllText(tmp.File("meta.json"), JsonSerializer.Serialize(new { shape = new[] { read.Shape.X, read.Shape.Y, read.Shape.Z }, masks }));
        var lines = ReferencePython.Run(NrrdCompareScript, [tmp.Path, TestData.Require("dicom/dcmqi/" + json), tmp.File("meta.json"),
            .. nrrds.Select(n => TestData.Require("dicom/dcmqi/" + n))]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(read.Segments.Count, lines.Length);
        foreach (var line in lines)
        {
            output.WriteLine(line);
            var parts = line.Split(' ');
            Assert.True(parts[1] == "0", $"segment {parts[0]}: {parts[1]} voxels differ from the NRRD");
            Assert.True(int.Parse(parts[2], CultureInfo.InvariantCulture) > 0, $"segment {parts[0]} is empty in the NRRD");
        }

        // The label volume is consistent with the masks: each labelled voxel is inside its segment's mask.
        var labels = read.LabelVolume;
        foreach (var s in read.Segments)
        {
            var mask = read.GetMask(s.Number);
            for (long i = 0; i < mask.Data.LongLength; i++)
            {
                if (labels.GetValue(i) == s.Number && mask.Data[i] == 0)
                {
                    Assert.Fail($"voxel {i} labelled {s.Number} outside its mask");
                }
            }
        }

        if (seg == "partial_overlaps.dcm")
        {
            Assert.True(read.OverlappingVoxels > 0, "partial_overlaps.dcm overlaps");
        }
    }

    [SkippableTheory]
    [InlineData("seg_image_ct_binary.dcm")]
    [InlineData("seg_image_ct_binary_overlap.dcm")]
    [InlineData("seg_image_ct_binary_single_frame.dcm")]
    [InlineData("seg_image_ct_binary_fractional.dcm")]
    [InlineData("seg_image_ct_true_fractional.dcm")]
    [InlineData("../pydicom/liver.dcm")]
    [InlineData("../pydicom/liver_expb.dcm")] // explicit VR big endian
    [InlineData("../pydicom/liver_nonbyte_aligned.dcm")] // 510×510 frames: each starts mid-byte
    public void Highdicom_segs_on_their_own_grid_equal_pydicom_placement(string name)
    {
        var path = TestData.Require("dicom/highdicom/" + name);
        var read = DicomSegReader.Read(path);
        using var tmp = new TempDirectory("seg-highdicom");
        output.WriteLine($"{name}: {read.SegmentationType}, {read.Segments.Count} segments, grid {read.Shape.X}×{read.Shape.Y}×{read.Shape.Z}, {read.OverlappingVoxels} overlapping");
        var view = SegReference.Place(path, read.LabelVolume, tmp.Path);
        var ours = new ushort[read.LabelVolume.Shape.VoxelCount];
        for (long i = 0; i < ours.LongLength; i++)
        {
            ours[i] = (ushort)read.LabelVolume.GetValue(i);
        }

        Assert.Equal(view.SegmentNumbers.Data, ours);
        Assert.Contains(ours, v => v > 0);
    }

    [SkippableFact]
    public void Highdicom_seg_on_its_source_ct_uses_the_ct_grid()
    {
        var ct = DicomSeriesLoader.Load(TestData.Require("dicom/highdicom/ct_image.dcm"));
        var read = DicomSegReader.Read(TestData.Require("dicom/highdicom/seg_image_ct_binary_single_frame.dcm"), ct);
        Assert.Equal(ct.Volume.Shape, read.Shape);
        Assert.Contains(read.GetMask(1).Data, v => v == 1);
    }

    [SkippableFact]
    public void Non_seg_truncated_and_inconsistent_files_give_typed_errors_naming_the_file()
    {
        var ct = TestData.Require("dicom/highdicom/ct_image.dcm");
        var e1 = Assert.Throws<DicomFormatException>(() => DicomSegReader.Read(ct));
        Assert.Contains("not a DICOM Segmentation", e1.Message, StringComparison.Ordinal);
        Assert.Equal(ct, e1.FilePath);

        using var tmp = new TempDirectory("seg-bad");
        var source = DicomSeriesLoader.Load(TestData.Require("dicom/dcmqi/ct-3slice"));
        var labels = DicomSegWriterTests.SyntheticLabels(source.Volume);
        var (ds, _) = DicomSegWriter.Build(labels, source, [], new AlgorithmIdentification("t", "1"));
        var pixels = ds[DicomTags.PixelData]!.Value;

        // A PixelData element that is consistently encoded but too short for its frames.
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, pixels[..(pixels.Length / 2)]));
        var shortPath = tmp.File("short.dcm");
        DicomWriter.Write(shortPath, ds);
        var e2 = Assert.Throws<DicomFormatException>(() => DicomSegReader.Read(shortPath));
        Assert.Contains("truncated", e2.Message, StringComparison.Ordinal);
        Assert.Equal(shortPath, e2.FilePath);

        // A file cut in the middle of its pixel data.
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, pixels));
        var full = tmp.File("full.dcm");
        DicomWriter.Write(full, ds);
        var bytes = File.ReadAllBytes(full);
        var cut = tmp.File("cut.dcm");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 1000)]);
        var e3 = Assert.ThrowsAny<ImageFormatException>(() => DicomSegReader.Read(cut));
        Assert.Contains("cut.dcm", e3.Message, StringComparison.Ordinal);

        // Compressed SEG pixel data (RLE; Deflated Image Frame Compression) is refused by name.
        foreach (var compressed in new[] { "dicom/pydicom/liver_rle.dcm", "dicom/pydicom/liver_deflate.dcm" })
        {
            var e = Assert.Throws<DicomFormatException>(() => DicomSegReader.Read(TestData.Require(compressed)));
            Assert.Contains("compressed", e.Message, StringComparison.Ordinal);
        }

        // Not DICOM at all.
        var text = tmp.File("text.dcm");
        File.WriteAllText(text, "hello, not a dicom file");
        Assert.ThrowsAny<ImageFormatException>(() => DicomSegReader.Read(text));

        // A SEG of another frame of reference than the reference series.
        ds.SetString(DicomTags.FrameOfReferenceUid, DicomVR.UI, "1.2.3.4.5");
        var otherFrame = tmp.File("other-frame.dcm");
        DicomWriter.Write(otherFrame, ds);
        var e5 = Assert.Throws<DicomFormatException>(() => DicomSegReader.Read(otherFrame, source));
        Assert.Contains("frame of reference", e5.Message, StringComparison.Ordinal);
        Assert.Equal(3, DicomSegReader.Read(otherFrame).Shape.Z); // read alone, it is fine

        // A SEG read against a reference series it does not lie on.
        var other = DicomSeriesLoader.Load(TestData.Require("dicom/highdicom/ct_image.dcm"));
        var e4 = Assert.Throws<DicomFormatException>(() => DicomSegReader.Read(full, other));
        Assert.Equal(full, e4.FilePath);
    }
}
