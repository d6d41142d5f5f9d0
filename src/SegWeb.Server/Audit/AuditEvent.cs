namespace SegWeb.Server.Audit;

/// <summary>One audited action (table AuditEvents). Rows outlive the users and objects they name: no foreign keys.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    /// <summary>When (UTC).</summary>
    public DateTime Time { get; set; }

    /// <summary>Who: the signed-in user's id (null when unknown).</summary>
    public string? UserId { get; set; }

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    /// <summary>input, job, result, api-key, user.</summary>
    public string? TargetKind { get; set; }

    public string? TargetId { get; set; }

    /// <summary>The client's address as the server saw it (the proxy's when behind one: forwarded headers are not trusted).</summary>
    public string? ClientIp { get; set; }
}

/// <summary>The audited actions.</summary>
public static class AuditActions
{
    public const string Upload = "upload";
    public const string Download = "download";
    public const string Delete = "delete";
    public const string Login = "login";
    public const string KeyCreated = "key-created";
    public const string KeyRevoked = "key-revoked";
    public const string JobCreated = "job-created";
}
