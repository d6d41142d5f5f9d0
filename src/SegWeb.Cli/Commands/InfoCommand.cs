using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SegWeb.Dicom.Series;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb info &lt;file|folder|zip&gt; [--json]`: for a NIfTI file, what the volume holds (shape, spacing, affine,
/// orientation, datatype, value range, label names); for DICOM (a folder, a zip or a file), the series found and
/// the files skipped, read header-only.
/// </summary>
public static class InfoCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A NIfTI file (.nii, .nii.gz), or DICOM: a folder, a zip or one file." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("info", "Describe a volume (shape, spacing, affine, orientation, datatype, value range, label names) or list the DICOM series in a folder or zip.")
        {
            input,
            json,
        };
        command.SetAction(parse =>
        {
            var path = InputFiles.RequireExisting(parse.GetValue(input)!);
            var output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            if (InputFiles.IsNifti(path))
            {
                var info = DescribeNifti(path);
                output.WriteLine(asJson ? JsonSerializer.Serialize(info, JsonOptions) : VolumeInfoText.Format(info));
            }
            else
            {
                var info = DescribeDicom(path);
                output.WriteLine(asJson ? JsonSerializer.Serialize(info, JsonOptions) : DicomInfoText.Format(info));
            }

            return CommandRunner.ExitOk;
        });
        return command;
    }

    /// <summary>Reads a NIfTI file completely (the value range needs the voxels) and describes it.</summary>
    public static VolumeInfo DescribeNifti(string path)
    {
        var image = NiftiReader.Read(InputFiles.RequireFile(path));
        var volume = image.Volume;
        var range = ValueRange.Of(volume);
        var names = MultilabelNifti.ReadLabelNames(image.Header);
        var affine = volume.Affine;
        return new VolumeInfo(
            File: path,
            Format: image.Header.Version.ToString(),
            Datatype: volume.VoxelType.ToString().ToLowerInvariant(),
            Shape: [volume.Shape.X, volume.Shape.Y, volume.Shape.Z],
            Spacing: [volume.Spacing.X, volume.Spacing.Y, volume.Spacing.Z],
            Orientation: Orientation.AxisCodes(affine),
            Affine: [.. Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, 4).Select(c => affine[r, c]).ToArray())],
            Slope: volume.Slope,
            Intercept: volume.Intercept,
            Min: range.Min,
            Max: range.Max,
            Labels: names.Count == 0 ? null : names.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value));
    }

    /// <summary>Scans DICOM input header-only and lists its series and the files that were skipped (with why).</summary>
    public static DicomInfo DescribeDicom(string path)
    {
        var scan = DicomSeriesScanner.Scan(path);
        var series = scan.Series.Select(s => new DicomSeriesSummary(
            Key: s.Key,
            SeriesInstanceUid: s.SeriesInstanceUid,
            Modality: s.Modality,
            Description: s.SeriesDescription,
            SeriesNumber: s.SeriesNumber,
            PatientId: s.PatientId,
            StudyDate: s.StudyDate,
            Rows: s.Rows,
            Columns: s.Columns,
            Files: s.InstanceCount,
            Frames: s.FrameCount,
            EnhancedMultiFrame: s.IsEnhancedMultiFrame,
            TransferSyntaxes: [.. s.TransferSyntaxes])).ToList();
        var skipped = scan.Skipped.Select(k => new DicomSkippedSummary(k.Name, k.Reason)).ToList();
        return new DicomInfo(path, series, skipped);
    }

    internal static string Format(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}

/// <summary>What `segweb info` reports for one NIfTI volume (also its JSON layout, in snake_case).</summary>
public sealed record VolumeInfo(
    string File,
    string Format,
    string Datatype,
    int[] Shape,
    double[] Spacing,
    string Orientation,
    double[][] Affine,
    double Slope,
    double Intercept,
    double Min,
    double Max,
    Dictionary<string, string>? Labels);

/// <summary>What `segweb info` reports for DICOM input.</summary>
public sealed record DicomInfo(string Input, IReadOnlyList<DicomSeriesSummary> Series, IReadOnlyList<DicomSkippedSummary> Skipped);

/// <summary>One series of <see cref="DicomInfo"/>; <c>Key</c> is what `segweb convert --series` accepts.</summary>
public sealed record DicomSeriesSummary(
    string Key,
    string? SeriesInstanceUid,
    string? Modality,
    string? Description,
    int? SeriesNumber,
    string? PatientId,
    string? StudyDate,
    int Rows,
    int Columns,
    int Files,
    int Frames,
    bool EnhancedMultiFrame,
    string[] TransferSyntaxes);

/// <summary>A file of the DICOM input that is not part of any series, and why.</summary>
public sealed record DicomSkippedSummary(string Name, string Reason);
