using SegWeb.Models.Catalog;

namespace SegWeb.Models.Download;

/// <summary>What to download, where to, and what it must be.</summary>
public sealed record DownloadRequest
{
    /// <summary>The URL to fetch (http or https).</summary>
    public required Uri Url { get; init; }

    /// <summary>The final file; data streams into <c>{TargetPath}.partial</c> beside it and is renamed only once verified.</summary>
    public required string TargetPath { get; init; }

    /// <summary>The expected size in bytes, or null when unknown (the server's announced length is still enforced).</summary>
    public long? ExpectedSize { get; init; }

    /// <summary>The expected SHA-256 of the whole file (hex), or null when unknown.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>Files inside the zip whose SHA-256 must match; the file must be a readable zip in any case.</summary>
    public IReadOnlyList<KnownFileHash> EntryHashes { get; init; } = [];
}

/// <summary>Download progress: bytes on disk so far (including a resumed part), the total when known, and the current rate.</summary>
/// <param name="BytesReceived">Bytes of the file on disk so far.</param>
/// <param name="TotalBytes">The file's full size, when the server said.</param>
/// <param name="BytesPerSecond">Average rate of this session's transfer.</param>
public readonly record struct DownloadProgress(long BytesReceived, long? TotalBytes, double BytesPerSecond);

/// <summary>A verified entry of the downloaded zip.</summary>
/// <param name="Path">The entry's full name in the zip.</param>
/// <param name="Sha256">Its SHA-256 (hex), equal to the published one.</param>
public sealed record VerifiedEntry(string Path, string Sha256);

/// <summary>The outcome of a successful download.</summary>
public sealed record DownloadResult
{
    /// <summary>The verified file (the request's target path).</summary>
    public required string Path { get; init; }

    /// <summary>Its size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>SHA-256 of the whole file (lower-case hex), always computed and recorded.</summary>
    public required string Sha256 { get; init; }

    /// <summary>True when the zip hash was checked against a published one.</summary>
    public required bool Sha256Verified { get; init; }

    /// <summary>The zip entries whose published hashes matched.</summary>
    public required IReadOnlyList<VerifiedEntry> VerifiedEntries { get; init; }

    /// <summary>How many HTTP requests it took.</summary>
    public required int Requests { get; init; }

    /// <summary>True when at least one request continued a partial file with a Range request that the server honoured.</summary>
    public required bool Resumed { get; init; }
}

/// <summary>Retry and timeout policy of <see cref="ModelDownloader"/>.</summary>
public sealed record DownloadOptions
{
    /// <summary>Failed requests in a row (ones that added no bytes) before giving up.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first wait before a retry; it doubles with each failure in a row.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A read that delivers nothing for this long counts as a dropped connection.</summary>
    public TimeSpan ReadIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The least time between two progress reports.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}
