using SegWeb.Imaging;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// The path the pipeline reads for a job's input. Stored inputs carry server-generated names without extensions, while
/// <see cref="Inference.Pipeline.SegmentationPipeline"/> recognises a DICOM zip by its ".zip" suffix and a DICOM series
/// as a folder: a NIfTI file is passed as is (recognised by content), a zip through a ".zip" link in a scratch folder,
/// and DICOM files through their input folder (which holds only that input's files).
/// </summary>
internal sealed class JobInput : IDisposable
{
    private readonly string? _scratch;

    private JobInput(string path, string? scratch)
    {
        Path = path;
        _scratch = scratch;
    }

    /// <summary>What to hand to the pipeline.</summary>
    public string Path { get; }

    public static JobInput Prepare(JobContext context)
    {
        var files = context.InputFiles;
        if (files.Count == 0)
        {
            throw new SegWebException($"input of job {context.JobId} has no files");
        }

        if (files.Count > 1)
        {
            string folder = System.IO.Path.GetDirectoryName(files[0])!;
            if (files.Any(f => System.IO.Path.GetDirectoryName(f) != folder))
            {
                throw new SegWebException($"input of job {context.JobId}: its files are not in one folder");
            }

            return new JobInput(folder, null);
        }

        string file = files[0];
        string format = context.Input?.Format ?? Sniff(file);
        switch (format)
        {
            case "dicom-zip":
                // A link, not a copy: a DICOM zip may be gigabytes.
                string scratch = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"segweb-job-{Guid.NewGuid():N}");
                Directory.CreateDirectory(scratch);
                string link = System.IO.Path.Combine(scratch, "input.zip");
                File.CreateSymbolicLink(link, file);
                return new JobInput(link, scratch);
            case "dicom-file" or "dicom-files":
                return new JobInput(System.IO.Path.GetDirectoryName(file)!, null);
            default:
                return new JobInput(file, null);
        }
    }

    private static string Sniff(string file)
    {
        Span<byte> head = stackalloc byte[4];
        using (var s = File.OpenRead(file))
        {
            if (s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length)
            {
                return "nifti";
            }
        }

        return head.SequenceEqual("PK\u0003\u0004"u8) ? "dicom-zip" : "nifti";
    }

    public void Dispose()
    {
        if (_scratch is not null && Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }
}
