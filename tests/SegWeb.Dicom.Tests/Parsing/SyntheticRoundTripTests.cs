using SegWeb.Imaging.IO;
using SegWeb.Dicom.Pixels;
using SegWeb.Dicom.Tests.Support;

namespace SegWeb.Dicom.Tests.Parsing;

/// <summary>
/// A synthetic dataset written in each uncompressed transfer syntax (Part 10 and bare, defined and undefined
/// lengths) reads back to the same elements, typed values and pixels, and pydicom reads SegWeb's files the same way.
/// </summary>
public sealed class SyntheticRoundTripTests
{
    public static TheoryData<string, bool, bool> Encodings()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var uid in new[] { "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99" })
        {
            foreach (bool undefined in new[] { false, true })
            {
                foreach (bool part10 in new[] { true, false })
                {
                    if (!part10 && uid.EndsWith(".99", StringComparison.Ordinal))
                    {
                        continue; // deflate is only recognisable through the meta header
                    }

                    data.Add(uid, undefined, part10);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Dataset_round_trips_through_each_transfer_syntax(string syntaxUid, bool undefinedLengths, bool part10)
    {
        var syntax = DicomTransferSyntax.FromUid(syntaxUid);
        var original = SyntheticDataset.Build();
        using var stream = new MemoryStream();
        DicomWriter.Write(stream, original, new DicomWriteOptions { TransferSyntax = syntax, UndefinedLengthSequences = undefinedLengths, Part10 = part10 });
        var file = DicomFile.Read(stream.ToArray(), "synthetic.dcm");

        Assert.Equal(syntax.Uid, file.TransferSyntax.Uid);
        var ds = file.Dataset;
        Assert.Equal(original.Elements.Select(e => e.Tag), ds.Elements.Select(e => e.Tag));
        Assert.Equal("Doe^Jane", ds.GetString(DicomTags.PatientName));
        Assert.Equal("1.2.3.4.5.6", ds.GetUid(DicomTags.SeriesInstanceUid));
        Assert.Equal(new[] { -125.5, -80.25, 42 }, ds.GetDoubles(DicomTags.ImagePositionPatient));
        Assert.Equal(17, ds.GetInt(DicomTags.InstanceNumber));
        Assert.Equal(4, ds.GetInt(DicomTags.Columns));
        Assert.Equal("SEGWEB TEST", ds.GetString(SyntheticDataset.PrivateCreator));
        if (syntax.IsExplicitVR)
        {
            Assert.Equal(new[] { 1.5, -2.25 }, ds.GetDoubles(new DicomTag(0x0018, 0x9327)));
            Assert.Equal(0x12345678, ds.GetInt(SyntheticDataset.PrivateValue));
        }
        else
        {
            // A tag outside SegWeb's dictionary reads as UN in implicit VR: its value is not guessed at.
            Assert.Equal(DicomVR.UN, ds[new DicomTag(0x0018, 0x9327)]!.VR);
            Assert.Equal(original[new DicomTag(0x0018, 0x9327)]!.Value, ds[new DicomTag(0x0018, 0x9327)]!.Value);
            // Implicit VR: an unknown private tag reads as UN, its bytes kept as they were (little endian).
            Assert.Equal(DicomVR.UN, ds[SyntheticDataset.PrivateValue]!.VR);
            Assert.Equal(new byte[] { 0x78, 0x56, 0x34, 0x12 }, ds[SyntheticDataset.PrivateValue]!.Value);
        }

        Assert.Equal(new[] { "1.2.3.1", "1.2.3.2" }, ds.GetSequence(DicomTags.ReferencedImageSequence).Select(i => i.GetUid(DicomTags.ReferencedSopInstanceUid)));
        if (syntax.IsExplicitVR || undefinedLengths)
        {
            // The private sequence is SQ in explicit VR, or recognisable by its undefined length in implicit VR.
            var item = ds.GetFirstItem(SyntheticDataset.PrivateSequence)!;
            Assert.Equal(3, item.GetInt(DicomTags.InstanceNumber));
            Assert.Equal(1, item.GetFirstItem(DicomTags.ReferencedSeriesSequence)!.GetFirstItem(DicomTags.ReferencedSeriesSequence)!.GetInt(DicomTags.InstanceNumber));
        }

        var pixels = DicomPixelData.Open(file).DecodeFrame(0);
        Assert.Equal(SyntheticDataset.Pixels.Select(p => (double)p), pixels);
    }

    [SkippableFact]
    public void Pydicom_reads_SegWeb_files_in_every_syntax_the_same_way()
    {
        ReferencePython.Require("pydicom", "numpy");
        using var tmp = new TempDirectory("dicom-writer");
        var files = new List<string>();
        foreach (var uid in new[] { "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99" })
        {
            foreach (bool undefined in new[] { false, true })
            {
                var path = tmp.File($"{uid}-{undefined}.dcm");
                DicomWriter.Write(path, SyntheticDataset.Build(), new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.FromUid(uid), UndefinedLengthSequences = undefined });
                files.Add(path);
            }
        }

        var script = """
            import sys, pydicom
            for f in sys.argv[1:]:
                ds = pydicom.dcmread(f)
                nested = ds[0x0009, 0x1002].value[0]
                print('|'.join([str(ds.file_meta.TransferSyntaxUID), str(ds.PatientName), str([float(v) for v in ds.ImagePositionPatient]),
                    str(ds.ReferencedImageSequence[1].ReferencedSOPInstanceUID), str(ds.pixel_array.ravel().tolist()), str(ds.Rows)]))
            """;
        var lines = ReferencePython.Run(script, [.. files]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Count, lines.Length);
        foreach (var (line, file) in lines.Zip(files))
        {
            var parts = line.Split('|');
            Assert.Equal(DicomFile.Open(file).TransferSyntax.Uid, parts[0]);
            Assert.Equal("Doe^Jane", parts[1]);
            Assert.Equal("[-125.5, -80.25, 42.0]", parts[2]);
            Assert.Equal("1.2.3.2", parts[3]);
            Assert.Equal($"[{string.Join(", ", SyntheticDataset.Pixels)}]", parts[4]);
            Assert.Equal("3", parts[5]);
        }

        Assert.Empty(Directory.GetFiles(tmp.Path, AtomicFile.TemporaryPattern));
    }

    [Fact]
    public void Header_only_reading_stops_before_pixel_data_and_never_reads_it()
    {
        using var stream = new MemoryStream();
        DicomWriter.Write(stream, SyntheticDataset.Build());
        var bytes = stream.ToArray();

        // Cut the file inside the pixel data: a full read fails, a header-only read does not notice.
        var cut = bytes[..^10];
        Assert.Throws<DicomFormatException>(() => DicomFile.Read(cut, "cut.dcm"));
        var header = DicomFile.Read(cut, "cut.dcm", DicomReadOptions.HeaderOnly);
        Assert.True(header.PixelDataSkipped);
        Assert.False(header.Dataset.Contains(DicomTags.PixelData));
        Assert.Equal(3, header.Dataset.GetInt(DicomTags.Rows));
        var e = Assert.Throws<DicomFormatException>(() => DicomPixelData.Open(header));
        Assert.Contains("header-only", e.Message, StringComparison.Ordinal);
    }
}
