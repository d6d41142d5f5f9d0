namespace SegWeb.Server.Options;

/// <summary>The server's settings, bound from the "SegWeb" configuration section and validated at start.</summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section these options come from.</summary>
    public const string Section = "SegWeb";

    /// <summary>Where the SQLite database and the file store live (relative paths resolve against the working folder).</summary>
    public string DataFolder { get; set; } = "segweb-data";

    /// <summary>Largest study accepted, in bytes (default 4 GiB): one tus upload, one plain upload, or all files of one input.</summary>
    public long MaxUploadBytes { get; set; } = 4L << 30;

    /// <summary>Days an input is kept before the retention job deletes it (shown as <c>expiresAt</c>).</summary>
    public int RetentionDays { get; set; } = 7;

    /// <summary>Hours an unfinished tus upload is kept.</summary>
    public int IncompleteUploadHours { get; set; } = 24;

    /// <summary>When the retention job runs: a cron expression in UTC (default hourly, on the hour).</summary>
    public string RetentionSchedule { get; set; } = "0 * * * *";

    /// <summary>Upload requests (creations and plain uploads) one user may start per minute before getting 429.</summary>
    public int UploadsPerMinute { get; set; } = 120;

    /// <summary>The administrator created on first start.</summary>
    public AdminOptions Admin { get; set; } = new();

    /// <summary>The data folder as an absolute path.</summary>
    public string DataFolderFullPath => Path.GetFullPath(DataFolder);
}

/// <summary>The first administrator's login; an empty password makes the server generate one and log it once.</summary>
public sealed class AdminOptions
{
    public string Email { get; set; } = "admin@segweb.local";

    public string? Password { get; set; }
}
