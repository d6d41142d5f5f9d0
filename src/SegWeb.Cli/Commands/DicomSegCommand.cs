using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;
using SegWeb.Models.Catalog;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb dicom-seg labels.nii.gz source/ out.dcm [--classes task|names.json] [--series KEY] [--write-source DIR]`:
/// writes a DICOM-SEG of a label map that lies on the grid of a DICOM series (as `segweb` loads it).
/// </summary>
public static class DicomSegCommand
{
    /// <summary>A class names file is a small JSON object; anything bigger is refused unread.</summary>
    private const long MaxClassesFileBytes = 1 << 20;

    public static Command Create(TaskCatalog? catalog = null)
    {
        var labels = new Argument<string>("labels") { Description = "Label map (.nii/.nii.gz) on the source series' grid." };
        var source = new Argument<string>("source") { Description = "The DICOM series it was computed from: folder, zip or file." };
        var output = new Argument<string>("output") { Description = "The DICOM-SEG file to write (.dcm)." };
        var classes = new Option<string?>("--classes", "-c")
        {
            Description = "Class names: a task (e.g. total) or a JSON file {\"1\": \"liver\", ...}. Default: the label table inside the NIfTI.",
        };
        var series = new Option<string?>("--series") { Description = "Which series of the source to use when it holds several (its key or SeriesInstanceUID)." };
        var writeSource = new Option<string?>("--write-source")
        {
            Description = "Also write the source series with its empty UIDs filled in (as the SEG references them) into this folder.",
        };
        var command = new Command("dicom-seg", "Write a DICOM-SEG (Segmentation IOD) of a label map on its DICOM source series.")
        {
            labels,
            source,
            output,
            classes,
            series,
            writeSource,
        };
        command.SetAction(parse =>
        {
            var labelsPath = parse.GetValue(labels)!;
            var sourcePath = parse.GetValue(source)!;
            var outPath = parse.GetValue(output)!;
            var classesValue = parse.GetValue(classes);
            var image = NiftiReader.Read(labelsPath);
            var names = classesValue is null ? MultilabelNifti.ReadLabelNames(image.Header) : ClassNames(classesValue, catalog);
            var loaded = DicomSeriesLoader.Load(sourcePath, parse.GetValue(series));
            var version = typeof(DicomSegCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var algorithm = new AlgorithmIdentification(classesValue is not null && !IsJsonFile(classesValue) ? $"SegWeb {classesValue}" : "SegWeb", version);
            var result = DicomSegWriter.Write(outPath, image.Volume, loaded, SnomedMapping.Embedded.Describe(names), algorithm,
                new DicomSegWriteOptions { LabelsName = labelsPath, SourceName = sourcePath, SoftwareVersion = version });

            var stdout = parse.InvocationConfiguration.Output;
            foreach (var warning in result.Warnings)
            {
                stdout.WriteLine($"warning: {warning}");
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outPath}: {result.Segments.Count} segments, {result.FrameCount} frames, SOP Instance UID {result.SopInstanceUid}"));
            if (parse.GetValue(writeSource) is { } folder)
            {
                var written = result.SourceUids.WriteFilledSeries(DicomInput.FromPath(sourcePath), folder);
                stdout.WriteLine($"wrote {written.Count} source files with the referenced UIDs to {folder}");
            }
            else if (result.SourceUids.AnyGenerated)
            {
                stdout.WriteLine("note: the source series lacks some UIDs; the SEG references generated ones. Use --write-source DIR to write the series with them.");
            }

            return CommandRunner.ExitOk;
        });
        return command;
    }

    private static bool IsJsonFile(string value) => value.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(value);

    /// <summary>A task's class map from the catalogue, or a JSON object {"1": "liver", ...}.</summary>
    private static Dictionary<int, string> ClassNames(string value, TaskCatalog? catalog)
    {
        if (!IsJsonFile(value))
        {
            return (catalog ?? TaskCatalog.LoadEmbedded()).Classes(value).ToDictionary(c => c.Id, c => c.Name);
        }

        var info = new FileInfo(value);
        if (!info.Exists)
        {
            throw new ImageFormatException(value, "class names file not found");
        }

        if (info.Length > MaxClassesFileBytes)
        {
            throw new ImageFormatException(value, $"class names file is {info.Length} bytes, more than {MaxClassesFileBytes}");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(value));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ImageFormatException(value, "class names must be a JSON object {\"1\": \"liver\", ...}");
            }

            var names = new Dictionary<int, string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0 || id > ushort.MaxValue
                    || p.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(p.Value.GetString()))
                {
                    throw new ImageFormatException(value, $"entry \"{p.Name}\" is not a label value 1..65535 with a non-empty name");
                }

                names[id] = p.Value.GetString()!;
            }

            return names;
        }
        catch (JsonException e)
        {
            throw new ImageFormatException(value, $"not valid JSON: {e.Message}", e);
        }
    }
}
