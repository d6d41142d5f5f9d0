using SegWeb.Imaging;

namespace SegWeb.Dicom;

/// <summary>
/// A DICOM input that SegWeb cannot read: not DICOM, truncated, corrupt, hostile (lengths past the end,
/// unclosed items, absurd nesting or sizes) or using an encoding SegWeb does not decode. The message names the
/// file (or "archive.zip!entry") and the problem.
/// </summary>
public class DicomFormatException : ImageFormatException
{
    public DicomFormatException()
    {
    }

    public DicomFormatException(string message)
        : base(message)
    {
    }

    public DicomFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public DicomFormatException(string filePath, string problem, Exception? innerException = null)
        : base(filePath, problem, innerException)
    {
    }
}
