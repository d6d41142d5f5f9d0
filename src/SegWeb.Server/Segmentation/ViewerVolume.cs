using System.IO.Compression;
using SegWeb.Imaging.Nifti;
using SegWeb.Inference.Pipeline;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// volume.nii.gz, the input as the viewer loads it: on its own grid, beside multilabel.nii.gz (same grid). A NIfTI input
/// is the uploaded file itself (copied as is when gzipped, gzipped on the way when not), so the viewer shows exactly what
/// was sent; a DICOM input is the series the pipeline converted, written as NIfTI.
/// </summary>
internal static class ViewerVolume
{
    public static void Write(string inputPath, SegmentationResult result, string target, CancellationToken cancellationToken)
    {
        if (result.Header is not null && File.Exists(inputPath))
        {
            using var source = File.OpenRead(inputPath);
            Span<byte> magic = stackalloc byte[2];
            bool gzipped = source.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            source.Position = 0;
            using var output = File.Create(target);
            if (gzipped)
            {
                source.CopyTo(output);
            }
            else
            {
                // Fastest: the browser inflates it either way; size matters less than the job's time here.
                using var gzip = new GZipStream(output, CompressionLevel.Fastest);
                source.CopyTo(gzip, 1 << 20);
            }

            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        NiftiWriter.Write(target, result.Image);
    }
}
