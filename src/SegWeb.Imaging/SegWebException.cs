namespace SegWeb.Imaging;

/// <summary>
/// The base of every error SegWeb reports to a user: the message is one line that names the file (when
/// there is one) and what is wrong with it. Commands print <see cref="Exception.Message"/> and exit non-zero.
/// </summary>
public class SegWebException : Exception
{
    public SegWebException()
    {
    }

    public SegWebException(string message)
        : base(message)
    {
    }

    public SegWebException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An input file that is not a valid image of its claimed format (truncated, corrupt, hostile or absurd).</summary>
public class ImageFormatException : SegWebException
{
    public ImageFormatException()
    {
    }

    public ImageFormatException(string message)
        : base(message)
    {
    }

    public ImageFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ImageFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that failed, as the user named it.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string? Problem { get; }
}
