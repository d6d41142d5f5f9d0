namespace SegWeb.Server.Components.Upload;

/// <summary>Where one upload (one study: a file, a zip or a DICOM folder) stands.</summary>
public enum UploadState
{
    /// <summary>Bytes are going up.</summary>
    Uploading,

    /// <summary>All bytes are up; the server validates the study (and, for a DICOM folder, completes the input).</summary>
    Processing,

    /// <summary>The input is ready and a job was created for it.</summary>
    JobCreated,

    /// <summary>The upload or the job creation failed; <see cref="UploadItem.Error"/> says why.</summary>
    Failed,

    /// <summary>The user canceled it (the server's partial upload is terminated).</summary>
    Canceled,
}
