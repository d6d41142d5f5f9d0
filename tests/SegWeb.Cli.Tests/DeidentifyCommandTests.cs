using System.Text.Json;

namespace SegWeb.Cli.Tests;

/// <summary>`segweb deidentify`: a new folder of de-identified objects, checked with pydicom; keyed UIDs; no partial output.</summary>
public sealed class DeidentifyCommandTests
{
    private const string Describe = """
import sys, os, json, pydicom
out = []
for name in sorted(os.listdir(sys.argv[1])):
    ds = pydicom.dcmread(os.path.join(sys.argv[1], name))
    out.append({"name": str(ds.get("PatientName", "")), "id": str(ds.get("PatientID", "")),
        "removed": str(ds.get("PatientIdentityRemoved", "")), "sop": str(ds.SOPInstanceUID),
        "series": str(ds.SeriesInstanceUID), "private": sum(1 for e in ds if e.tag.is_private),
        "pixels": int(ds.pixel_array.astype("int64").sum())})
print(json.dumps(out))
""";

    private const string SourcePixels = """
import sys, os, json, pydicom
print(json.dumps(sorted(int(pydicom.dcmread(os.path.join(sys.argv[1], n)).pixel_array.astype("int64").sum()) for n in os.listdir(sys.argv[1]))))
""";

    [SkippableFact]
    public void A_series_is_deidentified_into_a_new_folder_that_pydicom_reads()
    {
        var source = TestData.Require("dicom/pydicom/CT2");
        ReferencePython.Require("pydicom", "numpy");
        using var tmp = new TempDirectory("cli-deid");

        var (code, stdout, stderr) = TasksCommandTests.Run("deidentify", source, tmp.File("out"));

        Assert.True(code == 0, stderr);
        Assert.Contains($"{Directory.GetFiles(source).Length} objects de-identified", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(ReferencePython.Run(Describe, tmp.File("out")));
        var objects = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(Directory.GetFiles(source).Length, objects.Count);
        Assert.All(objects, o =>
        {
            Assert.Equal("YES", o.GetProperty("removed").GetString());
            Assert.Equal(0, o.GetProperty("private").GetInt32());
            Assert.StartsWith("2.25.", o.GetProperty("sop").GetString(), StringComparison.Ordinal);
        });
        Assert.Single(objects.Select(o => o.GetProperty("series").GetString()).Distinct());
        var pixels = JsonSerializer.Deserialize<long[]>(ReferencePython.Run(SourcePixels, source))!;
        Assert.Equal(pixels, objects.Select(o => o.GetProperty("pixels").GetInt64()).Order());
        Assert.Empty(Directory.GetDirectories(tmp.Path, ".*partial"));
    }

    [SkippableFact]
    public void The_same_key_file_gives_the_same_uids_and_a_fresh_key_different_ones()
    {
        var source = TestData.Require("dicom/pydicom/CT2");
        using var tmp = new TempDirectory("cli-deid-key");
        var key = tmp.File("uid.key");
        Assert.Equal(0, TasksCommandTests.Run("deidentify", source, tmp.File("a"), "--key-file", key).Code);
        Assert.Equal(0, TasksCommandTests.Run("deidentify", source, tmp.File("b"), "--key-file", key).Code);
        Assert.Equal(0, TasksCommandTests.Run("deidentify", source, tmp.File("c")).Code);

        static string[] Names(string dir) => [.. Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(Names(tmp.File("a")), Names(tmp.File("b")));
        Assert.Empty(Names(tmp.File("a")).Intersect(Names(tmp.File("c"))));
        Assert.Equal(32, new FileInfo(key).Length);
    }

    [SkippableFact]
    public void Existing_output_and_input_without_dicom_are_one_line_and_leave_nothing()
    {
        var source = TestData.Require("dicom/pydicom/CT2");
        using var tmp = new TempDirectory("cli-deid-bad");
        Directory.CreateDirectory(tmp.File("exists"));
        var (code, _, stderr) = TasksCommandTests.Run("deidentify", source, tmp.File("exists"));
        Assert.Equal(1, code);
        Assert.Contains("already exists", stderr, StringComparison.Ordinal);

        Directory.CreateDirectory(tmp.File("notes"));
        File.WriteAllText(Path.Combine(tmp.File("notes"), "readme.txt"), "no DICOM here");
        (code, _, stderr) = TasksCommandTests.Run("deidentify", tmp.File("notes"), tmp.File("out"));
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(tmp.File("out")));
        Assert.Empty(Directory.GetDirectories(tmp.Path, ".*partial"));
    }
}
