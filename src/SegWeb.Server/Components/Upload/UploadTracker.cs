namespace SegWeb.Server.Components.Upload;

/// <summary>
/// The upload panel's state: every upload of this page, fed by the browser module's callbacks (queued, progress,
/// uploaded, failed) and by the job creation that follows. No UI in here, so the rules are tested directly.
/// </summary>
public sealed class UploadTracker(TimeProvider clock)
{
    /// <summary>How far back the speed figure looks.</summary>
    public static readonly TimeSpan SpeedWindow = TimeSpan.FromSeconds(5);

    private readonly List<UploadItem> _items = [];

    /// <summary>Uploads in the order they were started.</summary>
    public IReadOnlyList<UploadItem> Items => _items;

    /// <summary>Raised after any change, for the component to re-render.</summary>
    public event Action? Changed;

    /// <summary>A new upload (or the same key again after a page reload, which restarts its figures).</summary>
    public UploadItem Start(string key, string name, long totalBytes, int fileCount)
    {
        _items.RemoveAll(i => i.Key == key);
        var item = new UploadItem(key, name, Math.Max(0, totalBytes), Math.Max(1, fileCount), clock.GetUtcNow());
        _items.Add(item);
        Changed?.Invoke();
        return item;
    }

    /// <summary>Bytes confirmed by the server so far.</summary>
    public void Progress(string key, long sentBytes)
    {
        if (Find(key) is { State: UploadState.Uploading } item)
        {
            item.Report(sentBytes, clock.GetUtcNow(), SpeedWindow);
            Changed?.Invoke();
        }
    }

    /// <summary>All bytes are up; the server now validates (the last PATCH, or /complete for a folder).</summary>
    public void Uploaded(string key)
    {
        if (Find(key) is { State: UploadState.Uploading } item)
        {
            item.Report(item.TotalBytes, clock.GetUtcNow(), SpeedWindow);
            item.State = UploadState.Processing;
            Changed?.Invoke();
        }
    }

    /// <summary>The server accepted the study as this input; returns the item unless it was canceled meanwhile.</summary>
    public UploadItem? InputReady(string key, Guid inputId)
    {
        if (Find(key) is not { } item || !item.IsActive)
        {
            return null;
        }

        item.InputId = inputId;
        item.State = UploadState.Processing;
        Changed?.Invoke();
        return item;
    }

    /// <summary>A job was created for the upload's input.</summary>
    public void JobCreated(string key, Guid jobId)
    {
        if (Find(key) is { } item)
        {
            item.JobId = jobId;
            item.State = UploadState.JobCreated;
            Changed?.Invoke();
        }
    }

    /// <summary>The upload, its validation, or the job creation failed.</summary>
    public void Failed(string key, string message)
    {
        if (Find(key) is { } item && item.State != UploadState.Canceled)
        {
            item.State = UploadState.Failed;
            item.Error = string.IsNullOrWhiteSpace(message) ? "the upload failed" : message;
            Changed?.Invoke();
        }
    }

    /// <summary>The user canceled; late callbacks for the key are then ignored.</summary>
    public bool Cancel(string key)
    {
        if (Find(key) is not { IsActive: true } item)
        {
            return false;
        }

        item.State = UploadState.Canceled;
        Changed?.Invoke();
        return true;
    }

    /// <summary>Removes finished, failed and canceled uploads from the list.</summary>
    public void ClearFinished()
    {
        _items.RemoveAll(i => !i.IsActive);
        Changed?.Invoke();
    }

    public UploadItem? Find(string key) => _items.Find(i => i.Key == key);

    /// <summary>"12.3 MB/s" (decimal megabytes, as download tools show).</summary>
    public static string FormatSpeed(double? bytesPerSecond) =>
        bytesPerSecond is { } b ? $"{b / 1e6:0.0} MB/s" : "– MB/s";

    /// <summary>"1 h 02 min", "3 min 05 s", "42 s", or "–".</summary>
    public static string FormatTimeLeft(TimeSpan? left) => left switch
    {
        null => "–",
        { TotalHours: >= 1 } t => $"{(int)t.TotalHours} h {t.Minutes:00} min",
        { TotalMinutes: >= 1 } t => $"{(int)t.TotalMinutes} min {t.Seconds:00} s",
        var t => $"{Math.Ceiling(t.Value.TotalSeconds):0} s",
    };
}
