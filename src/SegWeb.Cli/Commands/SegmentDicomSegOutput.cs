using System.Reflection;
using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;
using SegWeb.Imaging.Statistics;
using SegWeb.Inference.Pipeline;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb segment -ot dicom_seg`: the segmentation as one DICOM-SEG, `segmentations.dcm` in the -o folder (with
/// statistics.json beside it for -s), referencing the instances of the DICOM input it was made from. The folder is
/// created only for the outputs and removed again if writing fails, so an error leaves no partial output folder.
/// </summary>
internal static class SegmentDicomSegOutput
{
    public const string FileName = "segmentations.dcm";

    /// <summary>Refuses what a SEG cannot be made from before any work is done.</summary>
    public static void CheckRequest(string inputPath, bool multilabel)
    {
        if (multilabel)
        {
            throw new SegWebException($"--output_type dicom_seg writes {FileName} into the -o folder; --ml does not apply to it");
        }

        if (File.Exists(inputPath) && InputFiles.IsNifti(inputPath))
        {
            throw new SegWebException($"{inputPath}: --output_type dicom_seg needs DICOM input (a folder or zip): a SEG references the source instances");
        }
    }

    public static IReadOnlyList<string> Write(SegmentationResult result, ModelPackage package, string inputPath, string outputFolder, StatisticsOptions? statistics,
        IReadOnlyList<(string FileName, Action<string> Write)>? extraFiles = null)
    {
        // The pipeline read the same series through the same loader, so its labels lie on this grid.
        var source = DicomSeriesLoader.Load(inputPath);
        bool created = !Directory.Exists(outputFolder);
        Directory.CreateDirectory(outputFolder);
        try
        {
            var version = typeof(SegmentDicomSegOutput).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var segPath = Path.Combine(outputFolder, FileName);
            DicomSegWriter.Write(segPath, result.Labels, source, SnomedMapping.Embedded.Describe(result.ClassNames),
                new AlgorithmIdentification($"SegWeb {package.Manifest.Name}", version),
                new DicomSegWriteOptions { LabelsName = "segmentation", SourceName = inputPath, SoftwareVersion = version });
            var written = new List<string> { segPath };
            if (statistics is not null)
            {
                var statisticsPath = Path.Combine(outputFolder, "statistics.json");
                InputFiles.WriteAtomically(statisticsPath, temp => StatisticsReport.Compute(result.Image, result.Labels, result.ClassNames, statistics).WriteJson(temp));
                written.Add(statisticsPath);
            }

            foreach (var (fileName, write) in extraFiles ?? [])
            {
                var extraPath = Path.Combine(outputFolder, fileName);
                InputFiles.WriteAtomically(extraPath, write);
                written.Add(extraPath);
            }

            return written;
        }
        catch when (created)
        {
            Directory.Delete(outputFolder, recursive: true);
            throw;
        }
    }
}
