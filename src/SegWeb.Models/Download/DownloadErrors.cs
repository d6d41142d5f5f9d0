using SegWeb.Imaging;

namespace SegWeb.Models.Download;

/// <summary>A download that could not be completed (HTTP error, connection lost too often).</summary>
public class DownloadException : SegWebException
{
    public DownloadException()
    {
    }

    public DownloadException(string message)
        : base(message)
    {
    }

    public DownloadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The download host cannot be reached at all (no route, name not resolved, connection refused). Its message is
/// the one line SegWeb prints offline, pointing at the manual route: download elsewhere, then <c>segweb models import</c>.
/// </summary>
public sealed class OfflineException : DownloadException
{
    public OfflineException()
    {
    }

    public OfflineException(string message)
        : base(message)
    {
    }

    public OfflineException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public OfflineException(Uri url, Exception? innerException)
        : base($"offline: cannot reach {url?.Host}; download {url} elsewhere and run `segweb models import <zip>`", innerException)
    {
        Url = url;
    }

    /// <summary>The URL that could not be reached.</summary>
    public Uri? Url { get; }
}

/// <summary>
/// A downloaded file that is not what the catalogue says it must be (size, SHA-256 of the zip or of a file in
/// it, or not a zip at all). The bad file has been deleted when this is thrown.
/// </summary>
public sealed class ModelVerificationException : ImageFormatException
{
    public ModelVerificationException()
    {
    }

    public ModelVerificationException(string message)
        : base(message)
    {
    }

    public ModelVerificationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ModelVerificationException(string filePath, string problem, string? expected = null, string? actual = null, Exception? innerException = null)
        : base(filePath, problem, innerException)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The expected value (hash or size), when the problem is a mismatch.</summary>
    public string? Expected { get; }

    /// <summary>The value found.</summary>
    public string? Actual { get; }
}

/// <summary>A task whose weights are licence-only or unreleased, asked for without a user-supplied zip or URL.</summary>
public sealed class WeightsUnavailableException : SegWebException
{
    public WeightsUnavailableException()
    {
    }

    public WeightsUnavailableException(string message)
        : base(message)
    {
    }

    public WeightsUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
