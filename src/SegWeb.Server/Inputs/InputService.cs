using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Imaging;
using SegWeb.Server.Options;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Inputs;

/// <summary>
/// Turns complete uploaded files into inputs. Order matters for crash safety: validate the file where it lies,
/// rename it into the input's folder, then commit the row; a failure at any step deletes what that step made, and
/// the start-up sweep removes folders SQLite does not know.
/// </summary>
/// <remarks>Stored files are audited here ("upload"), so plain and tus uploads are recorded alike.</remarks>
public sealed class InputService(SegWebDbContext db, FileStore store, IOptions<ServerOptions> options, Audit.AuditLog audit)
{
    /// <summary>Validates one complete file as a study of its own and stores it as a ready input; the file is consumed either way.</summary>
    /// <exception cref="ImageFormatException">The file is not a usable study (it is deleted).</exception>
    public async Task<InputRecord> CreateFromFileAsync(string ownerId, string completePath, string? clientName, CancellationToken ct)
    {
        string display = DisplayName(clientName);
        InputDescription description;
        try
        {
            description = await Task.Run(() => InputInspector.Inspect(completePath, display, options.Value.MaxUploadBytes * 4), ct);
        }
        catch
        {
            FileStore.DeleteQuietly(completePath);
            throw;
        }

        var now = DateTime.UtcNow;
        var input = new InputRecord
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            State = InputState.Ready,
            Name = display,
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.Value.RetentionDays),
            DescriptionJson = JsonSerializer.Serialize(description, InputView.Json),
        };
        var file = new InputFileRecord { Id = Guid.NewGuid(), InputId = input.Id, OriginalName = display, Length = new FileInfo(completePath).Length };
        input.Files.Add(file);
        input.FileCount = 1;
        input.TotalBytes = file.Length;
        try
        {
            store.Publish(completePath, input.Id, file.Id);
            db.Inputs.Add(input);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch
        {
            FileStore.DeleteQuietly(completePath);
            store.DeleteInput(input.Id);
            throw;
        }

        await audit.RecordAsync(Audit.AuditActions.Upload, "input", input.Id.ToString(), ownerId);
        return input;
    }

    /// <summary>Creates an empty open input that files are added to before <see cref="CompleteAsync"/>.</summary>
    public async Task<InputRecord> CreateOpenAsync(string ownerId, string? name, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var input = new InputRecord
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            State = InputState.Open,
            Name = name is null ? null : DisplayName(name),
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.Value.RetentionDays),
        };
        db.Inputs.Add(input);
        await db.SaveChangesAsync(ct);
        return input;
    }

    /// <summary>The caller's open input, or null (missing, another user's, or already complete).</summary>
    public Task<InputRecord?> FindOpenAsync(string ownerId, Guid id, CancellationToken ct) =>
        db.Inputs.FirstOrDefaultAsync(i => i.Id == id && i.OwnerId == ownerId && i.State == InputState.Open, ct);

    /// <summary>Adds one complete file to an open input (validated with the others on completion); the file is consumed either way.</summary>
    /// <remarks>
    /// Parallel adds to one input are the normal case (a folder upload), so the count and size are raised by one
    /// conditional UPDATE in the database, not from the row this request loaded: two requests that both saw room for
    /// their file cannot both take it. The UPDATE and the file row commit together; <paramref name="input"/> is
    /// reloaded so the caller answers with the counts that were committed.
    /// </remarks>
    /// <exception cref="UploadTooLargeException">The input would pass the size limit.</exception>
    /// <exception cref="SegWebException">The input is no longer open.</exception>
    public async Task AddFileAsync(InputRecord input, string completePath, string? clientName)
    {
        ArgumentNullException.ThrowIfNull(input);
        long length = new FileInfo(completePath).Length;
        long limit = options.Value.MaxUploadBytes;
        var file = new InputFileRecord { Id = Guid.NewGuid(), InputId = input.Id, OriginalName = DisplayName(clientName), Length = length };
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            int raised = await db.Inputs
                .Where(i => i.Id == input.Id && i.State == InputState.Open && i.TotalBytes + length <= limit)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.FileCount, i => i.FileCount + 1).SetProperty(i => i.TotalBytes, i => i.TotalBytes + length), CancellationToken.None);
            if (raised == 0)
            {
                await db.Entry(input).ReloadAsync(CancellationToken.None);
                throw input.State != InputState.Open || db.Entry(input).State == EntityState.Detached
                    ? new SegWebException($"the input {input.Id} is no longer open")
                    : new UploadTooLargeException($"the input would hold {input.TotalBytes + length} bytes, more than the limit of {limit}");
            }

            store.Publish(completePath, input.Id, file.Id);
            db.InputFiles.Add(file);
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch
        {
            FileStore.DeleteQuietly(completePath);
            FileStore.DeleteQuietly(store.InputFilePath(input.Id, file.Id));
            throw;
        }

        await db.Entry(input).ReloadAsync(CancellationToken.None);
    }

    /// <summary>Validates an open input's files together as DICOM; on failure the whole input is deleted.</summary>
    /// <exception cref="ImageFormatException">No DICOM image series among the files.</exception>
    public async Task<InputRecord> CompleteAsync(InputRecord input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var files = await db.InputFiles.Where(f => f.InputId == input.Id).Select(f => new { f.Id, f.OriginalName }).ToListAsync(ct);
        var clientNames = files.ToDictionary(f => store.InputFilePath(input.Id, f.Id), f => f.OriginalName, StringComparer.Ordinal);
        var paths = clientNames.Keys.Order(StringComparer.Ordinal).ToList();
        InputDescription description;
        try
        {
            description = await Task.Run(() => HideServerPaths(input.Id, () => InputInspector.InspectDicomFiles(paths, input.Name ?? "input", p => clientNames.GetValueOrDefault(p))), ct);
        }
        catch (ImageFormatException)
        {
            await DeleteAsync(input);
            throw;
        }

        input.State = InputState.Ready;
        input.DescriptionJson = JsonSerializer.Serialize(description, InputView.Json);
        await db.SaveChangesAsync(CancellationToken.None);

        // One event per multi-file study, when it becomes usable (not one per file of a thousand-file series).
        await audit.RecordAsync(Audit.AuditActions.Upload, "input", input.Id.ToString(), input.OwnerId);
        return input;
    }

    /// <summary>Deletes an input's row and files.</summary>
    public async Task DeleteAsync(InputRecord input)
    {
        ArgumentNullException.ThrowIfNull(input);
        db.Inputs.Remove(input);
        await db.SaveChangesAsync(CancellationToken.None);
        store.DeleteInput(input.Id);
    }

    /// <summary>A safe display name: the last path segment, printable, at most 200 characters.</summary>
    public static string DisplayName(string? clientName)
    {
        if (string.IsNullOrWhiteSpace(clientName))
        {
            return "upload";
        }

        string name = Path.GetFileName(clientName.Replace('\\', '/'));
        name = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return name.Length == 0 ? "upload" : name[..Math.Min(name.Length, 200)];
    }

    private InputDescription HideServerPaths(Guid inputId, Func<InputDescription> inspect)
    {
        try
        {
            return inspect();
        }
        catch (ImageFormatException e) when (e.Message.Contains(store.Root, StringComparison.Ordinal))
        {
            // Never show the server's folders to the client.
            throw new ImageFormatException(e.Message.Replace(store.InputFolder(inputId) + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(store.Root, "", StringComparison.Ordinal), e);
        }
    }
}

/// <summary>An upload or input over the configured size limit (413).</summary>
public sealed class UploadTooLargeException : SegWebException
{
    public UploadTooLargeException()
    {
    }

    public UploadTooLargeException(string message)
        : base(message)
    {
    }

    public UploadTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
