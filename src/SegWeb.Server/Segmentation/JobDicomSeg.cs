using SegWeb.Dicom.Segmentation;
using SegWeb.Dicom.Series;
using SegWeb.Inference.Pipeline;
using SegWeb.Models.Packages;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// seg.dcm: the job's label map as a DICOM-SEG through the same library calls as <c>segweb segment -ot dicom_seg</c>
/// (DicomSegWriter over the series loaded by DicomSeriesLoader, SNOMED codes and colours from the embedded mapping).
/// </summary>
internal static class JobDicomSeg
{
    public static void Write(SegmentationResult result, ModelPackage package, string dicomInputPath, string target)
    {
        // The pipeline read the same series through the same loader, so its labels lie on this grid.
        var source = DicomSeriesLoader.Load(dicomInputPath);
        string version = JobReport.ServerVersion;
        DicomSegWriter.Write(target, result.Labels, source, SnomedMapping.Embedded.Describe(result.ClassNames),
            new AlgorithmIdentification($"SegWeb {package.Manifest.Name}", version),
            new DicomSegWriteOptions { LabelsName = "segmentation", SourceName = "input", SoftwareVersion = version });
    }
}
