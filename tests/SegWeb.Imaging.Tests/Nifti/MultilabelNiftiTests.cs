using System.Text;
using System.Text.Json;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>Label names stored TotalSegmentator's way: SegWeb reads theirs, their loader reads SegWeb's.</summary>
public sealed class MultilabelNiftiTests
{
    // TotalSegmentator's load_multilabel_nifti (nifti_ext_header.py), re-stated: xmltodict over extensions[0].
    private const string TotalSegmentatorLoader = """
import sys, json
import nibabel as nib
import numpy as np
import xmltodict
result = []
for p in sys.argv[1:]:
    img = nib.load(p)
    ext = img.header.extensions[0].get_content()
    labels = xmltodict.parse(ext)["CaretExtension"]["VolumeInformation"]["LabelTable"]["Label"]
    if isinstance(labels, dict):
        labels = [labels]
    label_map = {int(e["@Key"]): e["#text"] for e in labels}
    data = np.asanyarray(img.dataobj)
    result.append({"names": {str(k): v for k, v in label_map.items()}, "code": int(img.header.extensions[0].get_code()),
                   "sum": int(data.astype(np.int64).sum()), "max": int(data.max()), "content": ext.decode("utf-8")})
print(json.dumps(result))
""";

    [SkippableFact]
    public void Reads_all_117_label_names_of_TotalSegmentators_output_like_its_loader()
    {
        var path = TestData.Require("totalsegmentator/example_seg.nii.gz");
        var (image, names) = MultilabelNifti.Read(path);
        Assert.Equal(117, names.Count);
        Assert.Equal("liver", names[5]);
        Assert.Equal("spleen", names[1]);

        var reference = RunLoader(path)[0];
        Assert.Equal(reference.Names, names.ToDictionary(kv => kv.Key, kv => kv.Value));
        Assert.Equal(reference.Sum, ((Volume<byte>)image.Volume).Data.Sum(v => (long)v));

        // SegWeb's table for those names is byte-for-byte what TotalSegmentator wrote.
        Assert.Equal(reference.Content, MultilabelNifti.BuildLabelXml(names));
        Assert.Equal(reference.Content, Encoding.UTF8.GetString(image.Header.Extensions[0].Content));
    }

    [SkippableFact]
    public void A_multilabel_file_SegWeb_writes_is_read_by_TotalSegmentators_loader_and_by_SegWeb()
    {
        using var dir = new TempDirectory("ml");
        var shape = new VolumeShape(20, 15, 9);
        var data = new byte[shape.VoxelCount];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((i * 7 / 13) % 6);
        }

        var affine = new Affine([-1.5, 0, 0, 100, 0, -1.5, 0, 80, 0, 0, 3, -200, 0, 0, 0, 1]);
        var labels = new Volume<byte>(shape, affine, data);
        var names = new Dictionary<int, string> { [1] = "spleen", [2] = "kidney_right", [3] = "a & b < c", [5] = "liver", [12] = "caf\u00e9 \u2013 \u00fcber", [130] = "x" };

        // A template with another extension and an old label table: the old table goes, the other stays, the new table is first.
        var template = new NiftiHeader
        {
            Descrip = "seg",
            Extensions = [new NiftiExtension(6, "comment"u8.ToArray()), new NiftiExtension(0, Encoding.UTF8.GetBytes(MultilabelNifti.BuildLabelXml(new Dictionary<int, string> { [1] = "old" })))],
        };
        var paths = new[] { dir.File("ml.nii.gz"), dir.File("ml.nii") };
        MultilabelNifti.Write(paths[0], labels, names, template);
        MultilabelNifti.Write(paths[1], labels, names);

        var reference = RunLoader(paths);
        foreach (var (path, r) in paths.Zip(reference))
        {
            Assert.Equal(names, r.Names);
            Assert.Equal(0, r.Code);
            Assert.Equal(data.Sum(v => (long)v), r.Sum);
            var (image, back) = MultilabelNifti.Read(path);
            Assert.Equal(names, back.ToDictionary(kv => kv.Key, kv => kv.Value));
            Assert.Equal(data, ((Volume<byte>)image.Volume).Data);
            Assert.True(image.Volume.Affine.MaxAbsDifference(affine) < 1e-6);
        }

        var withTemplate = NiftiReader.ReadHeader(paths[0]);
        Assert.Equal([0, 6], withTemplate.Extensions.Select(e => e.Code));
    }

    [Fact]
    public void Names_that_cannot_live_in_CDATA_are_refused_and_float_volumes_too()
    {
        using var dir = new TempDirectory("ml2");
        var labels = new Volume<byte>(new VolumeShape(2, 2, 2), Affine.Identity, new byte[8]);
        Assert.Throws<ArgumentException>(() => MultilabelNifti.Write(dir.File("a.nii"), labels, new Dictionary<int, string> { [1] = "bad ]]> name" }));
        var floats = new Volume<float>(new VolumeShape(2, 2, 2), Affine.Identity, new float[8]);
        Assert.Throws<ArgumentException>(() => MultilabelNifti.Write(dir.File("b.nii"), floats, new Dictionary<int, string> { [1] = "x" }));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_malformed_label_table_is_a_format_error()
    {
        var header = new NiftiHeader { Extensions = [new NiftiExtension(0, "<CaretExtension><LabelTable><Label Key=\"x\">a</Label>"u8.ToArray())] };
        Assert.Throws<ImageFormatException>(() => MultilabelNifti.ReadLabelNames(header));
        var unclosed = new NiftiHeader { Extensions = [new NiftiExtension(0, "<CaretExtension><LabelTable><Label Key=\"1\">a"u8.ToArray())] };
        Assert.Throws<ImageFormatException>(() => MultilabelNifti.ReadLabelNames(unclosed));
        Assert.Empty(MultilabelNifti.ReadLabelNames(new NiftiHeader()));
    }

    private sealed record LoaderResult(Dictionary<int, string> Names, int Code, long Sum, string Content);

    private static List<LoaderResult> RunLoader(params string[] paths)
    {
        ReferencePython.Require("nibabel", "xmltodict");
        using var doc = JsonDocument.Parse(ReferencePython.Run(TotalSegmentatorLoader, paths));
        return [.. doc.RootElement.EnumerateArray().Select(e => new LoaderResult(
            e.GetProperty("names").EnumerateObject().ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetString()!),
            e.GetProperty("code").GetInt32(), e.GetProperty("sum").GetInt64(), e.GetProperty("content").GetString()!))];
    }
}
