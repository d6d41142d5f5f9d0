namespace SegWeb.Server.Components.Upload;

/// <summary>One study being uploaded, with the figures its progress bar shows.</summary>
public sealed class UploadItem
{
    // (time, bytes) samples of the last few seconds: the speed is the slope over this window, so a stall shows
    // up within seconds and one slow chunk does not swing the figure.
    private readonly Queue<(DateTimeOffset At, long Bytes)> _samples = new();

    internal UploadItem(string key, string name, long totalBytes, int fileCount, DateTimeOffset startedAt)
    {
        Key = key;
        Name = name;
        TotalBytes = totalBytes;
        FileCount = fileCount;
        StartedAt = startedAt;
        _samples.Enqueue((startedAt, 0));
    }

    /// <summary>The browser module's id for this upload.</summary>
    public string Key { get; }

    /// <summary>File or folder name.</summary>
    public string Name { get; }

    /// <summary>Bytes of all its files.</summary>
    public long TotalBytes { get; }

    /// <summary>1 for a file or zip, the number of files for a DICOM folder.</summary>
    public int FileCount { get; }

    public DateTimeOffset StartedAt { get; }

    public UploadState State { get; internal set; } = UploadState.Uploading;

    /// <summary>Bytes the server has confirmed (a resumed upload starts above 0).</summary>
    public long SentBytes { get; private set; }

    /// <summary>0 to 1.</summary>
    public double Fraction => TotalBytes <= 0 ? 0 : Math.Clamp((double)SentBytes / TotalBytes, 0, 1);

    /// <summary>Upload speed over the last <see cref="UploadTracker.SpeedWindow"/>, or null before two samples.</summary>
    public double? BytesPerSecond { get; private set; }

    /// <summary>Remaining bytes ÷ speed, or null while the speed is unknown or zero.</summary>
    public TimeSpan? TimeLeft =>
        BytesPerSecond is > 0 and var speed && State == UploadState.Uploading
            ? TimeSpan.FromSeconds((TotalBytes - SentBytes) / speed)
            : null;

    public Guid? InputId { get; internal set; }

    public Guid? JobId { get; internal set; }

    public string? Error { get; internal set; }

    /// <summary>Uploading or processing: cancel still means something.</summary>
    public bool IsActive => State is UploadState.Uploading or UploadState.Processing;

    internal void Report(long sentBytes, DateTimeOffset at, TimeSpan window)
    {
        sentBytes = Math.Clamp(sentBytes, 0, TotalBytes);
        if (sentBytes < SentBytes)
        {
            // tus went back to the server's offset after a drop: restart the speed window from here.
            _samples.Clear();
        }

        SentBytes = sentBytes;
        _samples.Enqueue((at, sentBytes));
        while (_samples.Count > 2 && at - _samples.Peek().At > window)
        {
            _samples.Dequeue();
        }

        var first = _samples.Peek();
        double seconds = (at - first.At).TotalSeconds;
        BytesPerSecond = _samples.Count >= 2 && seconds > 0 ? (sentBytes - first.Bytes) / seconds : BytesPerSecond;
    }
}
