using System.Text.Json;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;
using SegWeb.Models.Twins;

namespace SegWeb.Models.Tests.Packages;

/// <summary>SNOMED codes and colours per structure: the embedded TotalSegmentator table and user CSVs.</summary>
public sealed class ClassMetadataTableTests
{
    [Fact]
    public void Embedded_table_knows_codes_laterality_and_colours()
    {
        var table = ClassMetadataTable.LoadTotalSegmentator();

        Assert.True(table.Count >= 100, $"only {table.Count} rows");
        var liver = table.Describe("liver");
        Assert.Equal(new SnomedCode("SCT", "10200004", "Liver"), liver.Snomed);
        Assert.Null(liver.Modifier);
        Assert.Equal([40, 140, 40], liver.Color!);
        var adrenal = table.Describe("adrenal_gland_left");
        Assert.Equal("23451007", adrenal.Snomed!.Code);
        Assert.Equal(new SnomedCode("SCT", "7771000", "Left"), adrenal.Modifier);
        Assert.Equal(new ClassInfo { Name = "not_a_structure" }, table.Describe("not_a_structure"));
    }

    [SkippableFact]
    public void Embedded_table_is_the_shared_reference_file()
    {
        var reference = TestData.Require("totalsegmentator/totalsegmentator_snomed_mapping.csv");
        var fromFile = ClassMetadataTable.Load(reference);
        var embedded = ClassMetadataTable.LoadTotalSegmentator();

        Assert.Equal(fromFile.Count, embedded.Count);
        foreach (var name in File.ReadLines(reference).Skip(1).Select(l => l.Split(',')[0]))
        {
            // Records compare arrays by reference; their JSON compares the colours by value.
            Assert.Equal(JsonSerializer.Serialize(fromFile.Describe(name)), JsonSerializer.Serialize(embedded.Describe(name)));
        }
    }

    [Fact]
    public void Every_total_class_of_a_twin_gets_a_snomed_code()
    {
        using var temp = new TempDirectory("twin-snomed");
        var full = ArchitectureTwin.Resolve("total-fastest", TaskCatalog.LoadEmbedded());
        var twin = full with { Architecture = full.Architecture with { FeaturesPerStage = [2, 2, 2, 2, 2] } };

        var classes = TwinPackageWriter.Write(twin, temp.File("t")).Manifest.Classes;

        Assert.Equal(117, classes.Count);
        var missing = classes.Values.Where(c => c.Snomed is null || c.Color is null).Select(c => c.Name).ToList();
        Assert.True(missing.Count == 0, "no SNOMED code or colour for: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Structure,Other\nliver,1\n")]
    [InlineData("Structure,SegmentedPropertyTypeCodeSequence.CodingSchemeDesignator,SegmentedPropertyTypeCodeSequence.CodeValue,SegmentedPropertyTypeCodeSequence.CodeMeaning,DicomRGBColor\nliver,SCT,1,Liver,\"300,0,0\"\n")]
    [InlineData("Structure,SegmentedPropertyTypeCodeSequence.CodingSchemeDesignator,SegmentedPropertyTypeCodeSequence.CodeValue,SegmentedPropertyTypeCodeSequence.CodeMeaning,DicomRGBColor\nliver,SCT\n")]
    public void Malformed_tables_are_typed_errors(string content)
    {
        using var temp = new TempDirectory("csv");
        var path = temp.File("table.csv");
        File.WriteAllText(path, content);

        var ex = Assert.Throws<ModelFormatException>(() => ClassMetadataTable.Load(path));

        Assert.StartsWith(path + ":", ex.Message, StringComparison.Ordinal);
    }
}
