using System.CommandLine;
using System.Globalization;
using SegWeb.Dicom;
using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Resampling;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb convert &lt;input&gt; &lt;output.nii[.gz]&gt; [--orientation RAS|LPS|…] [--spacing X,Y,Z] [--order 0|1|3] [--labels] [--series UID] [--reference DICOM]`:
/// reads a NIfTI file, a DICOM folder/zip/file or a DICOM-SEG, reorients (exactly, voxels only move) and/or resamples
/// it, and writes NIfTI atomically. Reorientation comes first, so --spacing is per axis of the output. A DICOM-SEG
/// becomes a multilabel NIfTI (segment numbers as labels, segment labels as names) on the grid of the source series
/// given with --reference, or on the grid its own frames span.
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A .nii/.nii.gz file, or a DICOM folder, zip or file." };
        var output = new Argument<string>("output") { Description = "The .nii or .nii.gz to write." };
        var orientation = new Option<string?>("--orientation") { Description = "Reorient to these axis codes (e.g. RAS, LPS, PIR)." };
        var spacing = new Option<string?>("--spacing") { Description = "Resample to this voxel size in mm: X,Y,Z (or one value for all axes)." };
        var order = new Option<int?>("--order") { Description = "Interpolation: 0 nearest, 1 linear, 3 cubic B-spline (default 3; labels: 0, or 1 for per-label linear)." };
        var labels = new Option<bool>("--labels") { Description = "The input is a label map: never invent labels, keep label names." };
        var series = new Option<string?>("--series") { Description = "SeriesInstanceUID (or series key) when a DICOM input holds several series." };
        var reference = new Option<string?>("--reference") { Description = "For a DICOM-SEG input: the source DICOM series (folder or zip) whose grid the label map takes." };
        var command = new Command("convert", "Convert, reorient and resample a volume (or read a DICOM-SEG) to NIfTI.") { input, output, orientation, spacing, order, labels, series, reference };
        command.SetAction(parse => Execute(
            parse.InvocationConfiguration.Output,
            parse.GetValue(input)!,
            parse.GetValue(output)!,
            new Request(parse.GetValue(orientation), parse.GetValue(spacing), parse.GetValue(order), parse.GetValue(labels), parse.GetValue(series), parse.GetValue(reference))));
        return command;
    }

    private sealed record Request(string? Orientation, string? Spacing, int? Order, bool Labels, string? Series, string? Reference);

    private static int Execute(TextWriter stdout, string inputPath, string outputPath, Request request)
    {
        if (!InputFiles.IsNifti(outputPath))
        {
            throw new SegWebException($"{outputPath}: the output must be a .nii or .nii.gz file");
        }

        if (!InputFiles.IsNifti(inputPath) && IsSegmentation(inputPath))
        {
            request = request with { Labels = true }; // a DICOM-SEG is a label map: resample and write it as one
        }

        var target = request.Spacing is null ? ((double, double, double)?)null : ParseSpacing(request.Spacing);
        int order = request.Order ?? (request.Labels ? 0 : 3);
        if (order is not (0 or 1 or 3) || (request.Labels && order == 3))
        {
            throw new SegWebException(request.Labels
                ? $"--order {order}: a label map resamples with 0 (nearest) or 1 (per-label linear)"
                : $"--order {order}: use 0 (nearest), 1 (linear) or 3 (cubic B-spline)");
        }

        InputFiles.RequireExisting(inputPath);
        var (volume, header, names) = Load(inputPath, request, stdout);
        var before = Describe(volume);

        if (request.Orientation is not null)
        {
            AxisOrientation codes;
            try
            {
                codes = Orientation.FromAxisCodes(request.Orientation);
            }
            catch (ArgumentException)
            {
                throw new SegWebException($"--orientation {request.Orientation}: expected three axis letters such as RAS or LPS, each of L/R, P/A, I/S once");
            }

            try
            {
                volume = Reorientation.ToOrientation(volume, Orientation.ToAxisCodes(codes)).Volume;
            }
            catch (ArgumentException)
            {
                throw new ImageFormatException(inputPath, $"its affine is degenerate (axis codes {Orientation.AxisCodes(volume.Affine)}), so it has no orientation");
            }
        }

        string how = "";
        if (target is { } spacing)
        {
            try
            {
                volume = request.Labels
                    ? LabelResampler.ResampleLabelsToSpacing(volume, spacing, order == 0 ? LabelInterpolation.Nearest : LabelInterpolation.LinearArgmax)
                    : Resampler.ToSpacing(volume, spacing, AxisOrders.All(order));
            }
            catch (OutOfMemoryException)
            {
                // A valid but huge grid (up to 2^31 voxels) can exceed this machine's memory: say so in one line.
                var shape = Resampler.ResampledShape(volume.Shape, volume.Spacing, spacing);
                throw new SegWebException($"{inputPath}: resampling to {shape} voxels needs more memory than is available");
            }
            how = request.Labels ? (order == 0 ? ", labels nearest" : ", labels per-label linear") : $", order {order}";
        }

        if (header is not null && (request.Orientation is not null || target is not null))
        {
            // dim_info and the slice timing fields name voxel axes of the input grid, which no longer hold.
            header = header.Clone();
            header.DimInfo = 0;
            header.SliceCode = 0;
            header.SliceStart = 0;
            header.SliceEnd = 0;
            header.SliceDuration = 0;
        }

        InputFiles.WriteAtomically(outputPath, temp =>
        {
            if (request.Labels && names.Count > 0 && !volume.VoxelType.IsFloatingPoint())
            {
                MultilabelNifti.Write(temp, volume, names, header);
            }
            else
            {
                NiftiWriter.Write(temp, volume, header);
            }
        });
        stdout.WriteLine($"{inputPath} {before} -> {outputPath} {Describe(volume)}{how}");
        return CommandRunner.ExitOk;
    }

    private static (Volume Volume, NiftiHeader? Header, IReadOnlyDictionary<int, string> Names) Load(string path, Request request, TextWriter stdout)
    {
        if (File.Exists(path) && InputFiles.IsNifti(path))
        {
            if (request.Series is not null)
            {
                throw new SegWebException($"{path}: --series applies to DICOM input, not NIfTI");
            }

            if (request.Labels)
            {
                var (image, names) = MultilabelNifti.Read(path);
                return (image.Volume, image.Header, names);
            }

            var nifti = NiftiReader.Read(path);
            return (nifti.Volume, nifti.Header, new Dictionary<int, string>());
        }

        if (IsSegmentation(path))
        {
            return LoadSegmentation(path, request, stdout);
        }

        if (request.Reference is not null)
        {
            throw new SegWebException($"{path}: --reference applies to a DICOM-SEG input, and this is not one");
        }

        var dicom = DicomSeriesLoader.Load(path, request.Series);
        foreach (var warning in dicom.Warnings)
        {
            // Resampled tilted or unevenly spaced stacks, dropped localizers: the user must see what was done to the series.
            stdout.WriteLine($"warning: {path}: {warning}");
        }

        return (dicom.Volume, null, new Dictionary<int, string>());
    }

    private static bool IsSegmentation(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            var file = DicomFile.Open(path, DicomReadOptions.HeaderOnly);
            var sopClass = file.Dataset.GetUid(DicomTags.SopClassUid) ?? file.FileMetaInformation.GetUid(DicomTags.MediaStorageSopClassUid);
            return sopClass == DicomUids.SegmentationStorage;
        }
        catch (DicomFormatException)
        {
            return false; // not readable as one DICOM file: the series loader gives the real error
        }
    }

    // A SEG is labels by nature: segment numbers become label values and segment labels their names.
    private static (Volume, NiftiHeader?, IReadOnlyDictionary<int, string>) LoadSegmentation(string path, Request request, TextWriter stdout)
    {
        if (request.Reference is not null)
        {
            InputFiles.RequireExisting(request.Reference);
        }

        var reference = request.Reference is null ? null : DicomSeriesLoader.Load(request.Reference, request.Series);
        var segmentation = DicomSegReader.Read(path, reference);
        if (segmentation.OverlappingVoxels > 0)
        {
            stdout.WriteLine($"warning: {path}: {segmentation.OverlappingVoxels} voxels lie in several segments; each takes the highest segment number");
        }

        var names = segmentation.Segments.ToDictionary(s => s.Number, s => s.Label);
        return (segmentation.ToLabelMap(s => s.Number), null, names);
    }

    private static (double X, double Y, double Z) ParseSpacing(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]) || values[i] <= 0)
            {
                throw new SegWebException($"--spacing {text}: expected positive numbers in mm, as X,Y,Z or one value");
            }
        }

        return values.Length switch
        {
            1 => (values[0], values[0], values[0]),
            3 => (values[0], values[1], values[2]),
            _ => throw new SegWebException($"--spacing {text}: expected three values X,Y,Z or one value"),
        };
    }

    private static string Describe(Volume volume)
    {
        var (sx, sy, sz) = volume.Spacing;
        return string.Create(CultureInfo.InvariantCulture,
            $"{volume.Shape} {sx:0.###}×{sy:0.###}×{sz:0.###} mm {Orientation.AxisCodes(volume.Affine)} {volume.VoxelType}");
    }
}
