using SegWeb.Dicom.Segmentation;

namespace SegWeb.Dicom.Tests.Segmentation;

/// <summary>The SNOMED table against Python's csv module, CIELab against published values, UIDs.</summary>
public sealed class SegmentCodingTests
{
    private const string CsvScript = """
        import csv, sys
        for row in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')):
            p = 'SegmentedProperty%sCodeSequence.%s'
            print('\t'.join([row['Structure'], row[p % ('Category', 'CodeValue')], row[p % ('Type', 'CodeValue')], row[p % ('Type', 'CodeMeaning')],
                             row[p % ('TypeModifier', 'CodeValue')], row['DicomRGBColor']]))
        """;

    [SkippableFact]
    public void Embedded_snomed_table_equals_pythons_reading_of_the_shared_csv()
    {
        var csv = TestData.Require("totalsegmentator/totalsegmentator_snomed_mapping.csv");
        var lines = ReferencePython.Run(CsvScript, csv).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var table = SnomedMapping.Embedded;
        Assert.Equal(lines.Length, table.Structures.Count);
        foreach (var line in lines)
        {
            var f = line.TrimEnd('\r').Split('\t');
            var d = table.Describe(9, f[0]);
            Assert.Equal(9, d.LabelValue);
            Assert.Equal(f[1], d.Category.Value);
            Assert.Equal(f[2], d.Type.Value);
            Assert.Equal(f[3], d.Type.Meaning);
            Assert.Equal(f[4], d.TypeModifier?.Value ?? string.Empty);
            Assert.Equal(f[5], d.Rgb is { } c ? $"{c.R},{c.G},{c.B}" : string.Empty);
        }

        // The embedded copy is the shared file, and loading the file gives the same table.
        Assert.Equal(table.Structures.Order(StringComparer.Ordinal), SnomedMapping.Load(csv).Structures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Unknown_structure_falls_back_to_tissue_and_bad_tables_are_refused()
    {
        var d = SnomedMapping.Embedded.Describe(3, "no_such_structure");
        Assert.Equal(CodedConcept.Tissue, d.Category);
        Assert.Equal("no_such_structure", d.Label);
        Assert.Null(d.Rgb);
        Assert.Throws<Imaging.ImageFormatException>(() => SnomedMapping.Parse("Name,Other\nx,y\n", "t.csv"));
        Assert.Throws<Imaging.ImageFormatException>(() => SnomedMapping.Parse(
            "Structure,SegmentedPropertyCategoryCodeSequence.CodingSchemeDesignator,SegmentedPropertyCategoryCodeSequence.CodeValue,SegmentedPropertyCategoryCodeSequence.CodeMeaning,SegmentedPropertyTypeCodeSequence.CodingSchemeDesignator,SegmentedPropertyTypeCodeSequence.CodeValue,SegmentedPropertyTypeCodeSequence.CodeMeaning,DicomRGBColor\nliver,SCT,1,a,SCT,2,b,\"300,1,2\"\n", "t.csv"));
    }

    [Theory]
    // Published CIELab (D65) of the sRGB primaries, white and black (e.g. Lindbloom's calculator).
    [InlineData(255, 0, 0, 53.2408, 80.0925, 67.2032)]
    [InlineData(0, 255, 0, 87.7347, -86.1827, 83.1793)]
    [InlineData(0, 0, 255, 32.2970, 79.1875, -107.8602)]
    [InlineData(255, 255, 255, 100, 0, 0)]
    [InlineData(0, 0, 0, 0, 0, 0)]
    public void Srgb_to_cielab_matches_published_values_and_scales_as_ps3_3_c_10_7_1_1(byte r, byte g, byte b, double l, double a, double bb)
    {
        var lab = CieLab.FromSrgb(r, g, b);
        Assert.Equal(l, lab.L, 0.02);
        Assert.Equal(a, lab.A, 0.05);
        Assert.Equal(bb, lab.B, 0.05);
        var scaled = CieLab.ToDicom(r, g, b);
        // One unit of L*, a* or b* is 655 or 257 steps: a difference within 20 steps is the published values' rounding.
        Assert.InRange(scaled.L - (l / 100 * 65535), -20, 20);
        Assert.InRange(scaled.A - ((a + 128) / 255 * 65535), -20, 20);
        Assert.InRange(scaled.B - ((bb + 128) / 255 * 65535), -20, 20);
        var back = CieLab.FromDicom(scaled.L, scaled.A, scaled.B);
        Assert.Equal(l, back.L, 0.05);
    }

    [Fact]
    public void Generated_uids_are_valid_and_seeded_ones_are_stable()
    {
        var a = DicomUids.FromSeed("x");
        Assert.Equal(a, DicomUids.FromSeed("x"));
        Assert.NotEqual(a, DicomUids.FromSeed("y"));
        Assert.NotEqual(DicomUids.New(), DicomUids.New());
        foreach (var uid in new[] { a, DicomUids.New() })
        {
            Assert.True(DicomUids.IsValid(uid), uid);
            Assert.StartsWith("2.25.", uid, StringComparison.Ordinal);
        }

        Assert.False(DicomUids.IsValid("1.02.3"));
        Assert.False(DicomUids.IsValid(string.Empty));
        Assert.False(DicomUids.IsValid("1.2." + new string('9', 70)));
        Assert.True(DicomUids.IsValid("1.2.840.10008.5.1.4.1.1.66.4"));
    }
}
