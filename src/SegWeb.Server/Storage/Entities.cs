using Microsoft.AspNetCore.Identity;

namespace SegWeb.Server.Storage;

/// <summary>A person who logs in (Identity user; the user name is the e-mail address).</summary>
public sealed class SegWebUser : IdentityUser
{
}

/// <summary>An API key: only its SHA-256 is stored; the key itself is shown once, at creation.</summary>
public sealed class ApiKeyRecord
{
    public Guid Id { get; set; }

    public required string OwnerId { get; set; }

    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole key.</summary>
    public required string Hash { get; set; }

    /// <summary>The key's first characters, so a user can tell keys apart in a list.</summary>
    public required string Prefix { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}

/// <summary>Where an input stands.</summary>
public enum InputState
{
    /// <summary>Created for a multi-file (DICOM folder) upload; files are being added.</summary>
    Open = 0,

    /// <summary>Validated and described; usable by jobs.</summary>
    Ready = 1,
}

/// <summary>A study uploaded by a user: one NIfTI file, one DICOM zip, one DICOM file, or many DICOM files.</summary>
public sealed class InputRecord
{
    public Guid Id { get; set; }

    public required string OwnerId { get; set; }

    public InputState State { get; set; }

    /// <summary>The name the client gave (display only; files on disk have server-generated names).</summary>
    public string? Name { get; set; }

    /// <summary>The <see cref="Inputs.InputDescription"/> as JSON, once validated.</summary>
    public string? DescriptionJson { get; set; }

    public long TotalBytes { get; set; }

    public int FileCount { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public List<InputFileRecord> Files { get; set; } = [];
}

/// <summary>One stored file of an input.</summary>
public sealed class InputFileRecord
{
    public Guid Id { get; set; }

    public Guid InputId { get; set; }

    /// <summary>The client's name for the file (display only).</summary>
    public string? OriginalName { get; set; }

    public long Length { get; set; }
}

/// <summary>A tus upload: its declared length and the offset safely stored (the .part file may hold more after a crash; it is cut back to this).</summary>
public sealed class UploadRecord
{
    public Guid Id { get; set; }

    public required string OwnerId { get; set; }

    /// <summary>The open input the finished file joins, or null for a single-file study that becomes its own input.</summary>
    public Guid? TargetInputId { get; set; }

    public long Length { get; set; }

    public long Offset { get; set; }

    /// <summary>The Upload-Metadata header as received (echoed on HEAD).</summary>
    public string? Metadata { get; set; }

    public string? FileName { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    /// <summary>The input the finished upload became or joined.</summary>
    public Guid? ResultInputId { get; set; }
}
