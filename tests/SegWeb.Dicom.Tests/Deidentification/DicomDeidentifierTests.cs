using SegWeb.Imaging.IO;
using SegWeb.Dicom.Deidentification;
using SegWeb.Dicom.Series;

namespace SegWeb.Dicom.Tests.Deidentification;

/// <summary>
/// The Basic Profile applied to real files: every listed attribute present in the input gets exactly its action,
/// private attributes go, pixel data stays, UIDs map consistently across files (so references survive), and the
/// output parses in pydicom with no dciodvfy error the input did not have.
/// </summary>
public sealed class DicomDeidentifierTests
{
    private static readonly DicomTag PatientIdentityRemoved = new(0x0012, 0x0062);
    private static readonly DicomTag DeidentificationMethodCodeSequence = new(0x0012, 0x0064);

    [SkippableFact]
    public void Each_listed_attribute_of_a_real_CT_gets_its_action()
    {
        var original = DicomFile.Open(TestData.Require("dicom/pydicom/CT_small.dcm")).Dataset;
        var deidentifier = new DicomDeidentifier();
        var clean = deidentifier.Deidentify(original);
        int checkedCount = 0;
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var element in original.Elements)
        {
            var tag = element.Tag;
            var after = clean[tag];
            var action = BasicProfile.ActionFor(tag);
            seen.Add($"{tag}={action}");
            switch (action)
            {
                case DeidentificationAction.Remove:
                    Assert.True(after is null, $"{tag} should be removed");
                    break;
                case DeidentificationAction.ZeroLength:
                    Assert.True(after is not null && after.Value.Length == 0 && (after is not DicomSequence s || s.Items.Count == 0), $"{tag} should be present and empty");
                    break;
                case DeidentificationAction.RemapUid:
                    var uid = original.GetUid(tag)!;
                    Assert.Equal(deidentifier.UidMap.Map(uid), clean.GetUid(tag));
                    Assert.StartsWith("2.25.", clean.GetUid(tag), StringComparison.Ordinal);
                    Assert.NotEqual(uid, clean.GetUid(tag));
                    Assert.True(clean.GetUid(tag)!.Length <= 64, "a UID has at most 64 characters");
                    break;
                case DeidentificationAction.Dummy:
                    Assert.True(after is not null && !after.Value.AsSpan().SequenceEqual(element.Value), $"{tag} should hold a dummy value");
                    break;
                default:
                    Assert.True(after is not null, $"{tag} should be kept");
                    if (element is not DicomSequence)
                    {
                        Assert.Equal(element.Value, after.Value);
                    }

                    break;
            }

            if (tag.IsPrivate)
            {
                Assert.Null(after);
            }

            checkedCount++;
        }

        Console.WriteLine($"checked {checkedCount} attributes: {string.Join(" ", seen)}");

        // The identity attributes the brief names, as they occur in CT_small.
        Assert.Equal(string.Empty, clean.GetString(DicomTags.PatientName) ?? string.Empty);
        Assert.Empty(clean[DicomTags.PatientName]!.Value);
        Assert.Empty(clean[DicomTags.PatientId]!.Value);
        Assert.Null(clean[new DicomTag(0x0008, 0x0080)]); // InstitutionName
        Assert.Null(clean[new DicomTag(0x0010, 0x1002)]); // OtherPatientIDsSequence, with more patient IDs inside
        Assert.Empty(clean[DicomTags.StudyDate]!.Value);
        Assert.DoesNotContain(clean.Elements, e => e.Tag.IsPrivate);
        Assert.Equal(original[DicomTags.PixelData]!.Value, clean[DicomTags.PixelData]!.Value);
        Assert.Equal("YES", clean.GetString(PatientIdentityRemoved));
        var code = Assert.Single(clean.GetSequence(DeidentificationMethodCodeSequence));
        Assert.Equal("113100", code.GetString(new DicomTag(0x0008, 0x0100)));
        Assert.Equal("DCM", code.GetString(new DicomTag(0x0008, 0x0102)));

        // The input is untouched.
        Assert.Equal("CompressedSamples^CT1", original.GetString(DicomTags.PatientName));
    }

    [Fact]
    public void Uids_inside_nested_sequences_map_consistently_across_objects()
    {
        var image = new DicomDataset();
        image.SetString(DicomTags.SopInstanceUid, DicomVR.UI, "1.2.3.100");
        image.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, "1.2.3.10");
        image.SetString(DicomTags.StudyInstanceUid, DicomVR.UI, "1.2.3.1");
        image.SetString(DicomTags.FrameOfReferenceUid, DicomVR.UI, "1.2.3.5");
        var reference = new DicomDataset();
        reference.SetString(DicomTags.ReferencedSopClassUid, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
        reference.SetString(DicomTags.ReferencedSopInstanceUid, DicomVR.UI, "1.2.3.100");
        var series = new DicomDataset();
        series.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, "1.2.3.10");
        series.Set(new DicomSequence(new DicomTag(0x0008, 0x114A), [reference])); // ReferencedInstanceSequence
        var seg = new DicomDataset();
        seg.SetString(DicomTags.SopInstanceUid, DicomVR.UI, "1.2.3.200");
        seg.SetString(DicomTags.StudyInstanceUid, DicomVR.UI, "1.2.3.1");
        seg.SetString(DicomTags.FrameOfReferenceUid, DicomVR.UI, "1.2.3.5");
        seg.Set(new DicomSequence(DicomTags.ReferencedSeriesSequence, [series]));

        var key = new byte[32];
        key[0] = 42;
        var first = new DicomDeidentifier(new DicomDeidentificationOptions { UidMap = new DicomUidMap(key) });
        var cleanImage = first.Deidentify(image);
        var cleanSeg = first.Deidentify(seg);
        var cleanSeries = Assert.Single(cleanSeg.GetSequence(DicomTags.ReferencedSeriesSequence));
        var cleanReference = Assert.Single(cleanSeries.GetSequence(new DicomTag(0x0008, 0x114A)));
        Assert.Equal(cleanImage.GetUid(DicomTags.SopInstanceUid), cleanReference.GetUid(DicomTags.ReferencedSopInstanceUid));
        Assert.Equal(cleanImage.GetUid(DicomTags.SeriesInstanceUid), cleanSeries.GetUid(DicomTags.SeriesInstanceUid));
        Assert.Equal(cleanImage.GetUid(DicomTags.StudyInstanceUid), cleanSeg.GetUid(DicomTags.StudyInstanceUid));
        Assert.Equal(cleanImage.GetUid(DicomTags.FrameOfReferenceUid), cleanSeg.GetUid(DicomTags.FrameOfReferenceUid));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", cleanReference.GetUid(DicomTags.ReferencedSopClassUid)); // class UIDs are not identifying
        Assert.NotEqual(cleanImage.GetUid(DicomTags.SopInstanceUid), cleanSeg.GetUid(DicomTags.SopInstanceUid));

        // The same key in a later run gives the same UIDs; another key gives others.
        Assert.Equal(cleanImage.GetUid(DicomTags.SopInstanceUid), new DicomUidMap(key).Map("1.2.3.100"));
        Assert.NotEqual(cleanImage.GetUid(DicomTags.SopInstanceUid), new DicomUidMap().Map("1.2.3.100"));
        Assert.Equal(5, first.UidMap.Mapped.Count);
    }

    [SkippableFact]
    public void A_folder_is_deidentified_into_files_that_pydicom_reads_and_dciodvfy_accepts()
    {
        ReferencePython.Require("pydicom", "numpy");
        Skip.IfNot(File.Exists("/usr/bin/dciodvfy"), "dciodvfy is not installed (apt-get install dicom3tools)");
        var folder = TestData.Require("dicom/pydicom/CT2");
        using var tmp = new TempDirectory("deid");
        var input = Path.Combine(tmp.Path, "in");
        Directory.CreateDirectory(input);
        foreach (var f in Directory.GetFiles(folder))
        {
            File.Copy(f, Path.Combine(input, Path.GetFileName(f)));
        }

        File.Copy(TestData.Require("dicom/pydicom/CT_small.dcm"), Path.Combine(input, "CT_small.dcm"));
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not DICOM");
        var output = Path.Combine(tmp.Path, "out");
        var result = new DicomDeidentifier().DeidentifyInput(DicomInput.FromPath(input), output);
        Console.WriteLine(result);
        Assert.Equal(5, result.WrittenFiles.Count);
        Assert.Contains(result.Skipped, s => s.Name.EndsWith("notes.txt", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(output, AtomicFile.TemporaryPattern));
        Assert.All(result.WrittenFiles, f => Assert.StartsWith("2.25.", Path.GetFileName(f), StringComparison.Ordinal));

        // Geometry and pixels survive: the de-identified series loads to the same volume.
        var before = DicomSeriesLoader.Load(folder, options: new DicomLoadOptions { ResampleIrregular = false });
        var scan = DicomSeriesScanner.Scan(output);
        var ct2 = scan.Series.Single(s => s.InstanceCount == 4);
        Assert.Equal(2, scan.Series.Count); // CT2's four files still share one (new) SeriesInstanceUID; CT_small has its own
        Assert.StartsWith("2.25.", ct2.SeriesInstanceUid, StringComparison.Ordinal);
        Assert.StartsWith("2.25.", ct2.StudyInstanceUid, StringComparison.Ordinal);
        var after = DicomSeriesLoader.Load(DicomInput.FromPath(output), ct2.Key, new DicomLoadOptions { ResampleIrregular = false });
        Assert.Equal(before.Volume.Affine, after.Volume.Affine);
        Assert.Equal((short[])before.Volume.RawData, (short[])after.Volume.RawData);

        // pydicom reads every output with the profile's marks, and the pixels equal the input's.
        var script = """
            import sys, glob, os, pydicom, numpy as np
            src = {}
            for f in glob.glob(os.path.join(sys.argv[1], '*')):
                try:
                    d = pydicom.dcmread(f)
                    src[int(d.InstanceNumber)] = d.pixel_array
                except Exception:
                    pass
            for f in sorted(glob.glob(os.path.join(sys.argv[2], '*.dcm'))):
                d = pydicom.dcmread(f)
                same = np.array_equal(d.pixel_array, src[int(d.InstanceNumber)])
                codes = [c.CodeValue for c in d.DeidentificationMethodCodeSequence]
                print(os.path.basename(f), d.PatientIdentityRemoved, str(d.PatientName) == '', 'InstitutionName' in d, codes, same, len([e for e in d if e.tag.is_private]))
            """;
        var lines = ReferencePython.Run(script, input, output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine(string.Join("\n", lines));
        Assert.Equal(5, lines.Length);
        Assert.All(lines, l => Assert.EndsWith("YES True False ['113100'] True 0", l, StringComparison.Ordinal));

        // dciodvfy: no error in the output that the input did not have.
        foreach (var (source, cleaned) in Pairs(input, output))
        {
            var errorsBefore = Dciodvfy(source);
            var errorsAfter = Dciodvfy(cleaned);
            var added = errorsAfter.Except(errorsBefore).ToList();
            Console.WriteLine($"{Path.GetFileName(source)}: dciodvfy errors before {errorsBefore.Count}, after {errorsAfter.Count}");
            Assert.True(added.Count == 0, $"{Path.GetFileName(source)}: new dciodvfy errors:\n{string.Join("\n", added)}");
        }
    }

    [SkippableFact]
    public void A_zip_is_deidentified_entry_by_entry_with_one_uid_map()
    {
        var folder = TestData.Require("dicom/pydicom/CT2");
        using var tmp = new TempDirectory("deid-zip");
        var zip = tmp.File("ct2.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(folder, zip);
        var deidentifier = new DicomDeidentifier();
        var result = deidentifier.DeidentifyInput(DicomInput.FromPath(zip), Path.Combine(tmp.Path, "out"));
        Assert.Equal(4, result.WrittenFiles.Count);
        Assert.Empty(result.Skipped);
        var series = Assert.Single(DicomSeriesScanner.Scan(Path.Combine(tmp.Path, "out")).Series);
        var originalSeries = DicomFile.Open(Directory.GetFiles(folder)[0], DicomReadOptions.HeaderOnly).Dataset.GetUid(DicomTags.SeriesInstanceUid)!;
        Assert.Equal(deidentifier.UidMap.Map(originalSeries), series.SeriesInstanceUid);
        Assert.Equal(string.Empty, series.PatientName ?? string.Empty);
    }

    private static IEnumerable<(string Source, string Cleaned)> Pairs(string input, string output)
    {
        var bySop = Directory.GetFiles(output).ToDictionary(f => DicomFile.Open(f).Dataset.GetInt(DicomTags.InstanceNumber) ?? -1);
        foreach (var f in Directory.GetFiles(input).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal)))
        {
            yield return (f, bySop[DicomFile.Open(f).Dataset.GetInt(DicomTags.InstanceNumber) ?? -1]);
        }
    }

    private static List<string> Dciodvfy(string path)
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/dciodvfy", [path]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var text = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().ToList();
    }
}
