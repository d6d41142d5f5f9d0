using SegWeb.Dicom.Tests.Support;

namespace SegWeb.Dicom.Tests.Parsing;

/// <summary>Every real file in the corpora parses, or fails with a <see cref="DicomFormatException"/> that pydicom agrees about.</summary>
public sealed class RealFileParsingTests
{
    [SkippableFact]
    public void Pydicom_corpus_files_parse_to_the_same_top_level_tags_as_pydicom()
    {
        var files = DicomCorpus.PydicomFiles();
        var script = """
            import sys, pydicom
            for f in sys.argv[1:]:
                try:
                    ds = pydicom.dcmread(f, force=True)
                    tags = sorted(int(e.tag) for e in ds)
                    print(f + '\t' + ','.join('%08X' % t for t in tags))
                except Exception as e:
                    print(f + '\tERROR ' + type(e).__name__)
            """;
        var reference = ReferencePython.Run(script, files).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
        var problems = new List<string>();
        int compared = 0;
        foreach (var f in files)
        {
            DicomFile file;
            try
            {
                file = DicomFile.Open(f);
            }
            catch (DicomFormatException e)
            {
                Console.WriteLine($"SegWeb refuses {Path.GetFileName(f)}: {e.Problem} (pydicom: {reference[f][..Math.Min(40, reference[f].Length)]})");
                continue;
            }

            if (reference[f].StartsWith("ERROR", StringComparison.Ordinal))
            {
                continue;
            }

            var expected = reference[f].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            var actual = file.Dataset.Elements.Select(e => e.Tag.Value.ToString("X8", System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            if (!expected.SetEquals(actual))
            {
                problems.Add($"{Path.GetFileName(f)}: only SegWeb {string.Join(" ", actual.Except(expected).Take(5))}; only pydicom {string.Join(" ", expected.Except(actual).Take(5))}");
            }

            compared++;
        }

        Console.WriteLine($"compared top-level tags of {compared} of {files.Length} pydicom test files");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(compared > files.Length * 3 / 4, $"only {compared} of {files.Length} files parsed");
    }
}
