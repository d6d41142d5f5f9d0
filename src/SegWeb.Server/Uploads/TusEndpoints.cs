using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Accounts;
using SegWeb.Server.Inputs;
using SegWeb.Server.Options;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Uploads;

/// <summary>
/// tus 1.0.0 resumable uploads (core protocol plus the creation and termination extensions) under /api/v1/uploads.
/// A finished upload becomes an input of its own, or joins the open input named by the "input" metadata key.
/// </summary>
public static class TusEndpoints
{
    /// <summary>Bytes between offset checkpoints in SQLite during a PATCH: what a crash can cost the client to resend.</summary>
    private const long CheckpointBytes = 8L << 20;

    /// <summary>Response header naming the input a finished upload became or joined.</summary>
    public const string InputHeader = "SegWeb-Input";

    public static IEndpointRouteBuilder MapTusEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/uploads").WithTags("Uploads").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            http.Response.Headers[TusHeaders.Resumable] = TusHeaders.Version;
            if (!HttpMethods.IsOptions(http.Request.Method) && http.Request.Headers[TusHeaders.Resumable] != TusHeaders.Version)
            {
                http.Response.Headers[TusHeaders.TusVersion] = TusHeaders.Version;
                return TypedResults.Problem($"this server speaks tus {TusHeaders.Version}: send the header Tus-Resumable: {TusHeaders.Version}", statusCode: StatusCodes.Status412PreconditionFailed);
            }

            return await next(context);
        });

        group.MapMethods("", [HttpMethods.Options], Discover);
        group.MapPost("", Create).RequireRateLimiting(RateLimits.Uploads);
        group.MapMethods("/{id:guid}", [HttpMethods.Head], Head);
        group.MapPatch("/{id:guid}", Patch);
        group.MapDelete("/{id:guid}", Terminate);
        return app;
    }

    private static IResult Discover(HttpContext http, IOptions<ServerOptions> options)
    {
        var h = http.Response.Headers;
        h[TusHeaders.TusVersion] = TusHeaders.Version;
        h[TusHeaders.Extension] = TusHeaders.Extensions;
        h[TusHeaders.MaxSize] = options.Value.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Create(HttpContext http, ClaimsPrincipal user, SegWebDbContext db, FileStore store, InputService inputs, IOptions<ServerOptions> options)
    {
        var request = http.Request;
        if (request.Headers.ContainsKey(TusHeaders.UploadDeferLength))
        {
            return TypedResults.Problem("Upload-Defer-Length is not supported: declare Upload-Length", statusCode: StatusCodes.Status400BadRequest);
        }

        if (TusHeaders.ReadLength(request, TusHeaders.UploadLength) is not { } length)
        {
            return TypedResults.Problem("Upload-Length must be a non-negative integer", statusCode: StatusCodes.Status400BadRequest);
        }

        long max = options.Value.MaxUploadBytes;
        if (length > max)
        {
            return TypedResults.Problem($"Upload-Length {length} is more than the limit of {max} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (length == 0)
        {
            return TypedResults.Problem("the upload is empty (Upload-Length 0): nothing to segment", statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        string? rawMetadata = request.Headers[TusHeaders.UploadMetadata];
        if (TusHeaders.ParseMetadata(rawMetadata) is not { } metadata)
        {
            return TypedResults.Problem("Upload-Metadata must be comma-separated 'key base64value' pairs", statusCode: StatusCodes.Status400BadRequest);
        }

        string owner = user.UserId();
        Guid? target = null;
        if (metadata.TryGetValue("input", out var inputText))
        {
            if (!Guid.TryParse(inputText, out var inputId) || await inputs.FindOpenAsync(owner, inputId, http.RequestAborted) is null)
            {
                return TypedResults.Problem($"no open input '{inputText}' of yours to add this file to", statusCode: StatusCodes.Status404NotFound);
            }

            target = inputId;
        }

        var now = DateTime.UtcNow;
        var upload = new UploadRecord
        {
            Id = Guid.NewGuid(),
            OwnerId = owner,
            TargetInputId = target,
            Length = length,
            Metadata = rawMetadata,
            FileName = metadata.GetValueOrDefault("filename") ?? metadata.GetValueOrDefault("name"),
            CreatedAt = now,
            ExpiresAt = now.AddHours(options.Value.IncompleteUploadHours),
        };
        await File.WriteAllBytesAsync(store.UploadPath(upload.Id), [], http.RequestAborted);
        db.Uploads.Add(upload);
        await db.SaveChangesAsync(CancellationToken.None);
        return TypedResults.Created($"/api/v1/uploads/{upload.Id:N}");
    }

    private static async Task<IResult> Head(Guid id, HttpContext http, ClaimsPrincipal user, SegWebDbContext db, FileStore store)
    {
        string owner = user.UserId();
        var upload = await db.Uploads.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && u.OwnerId == owner, http.RequestAborted);
        if (upload is null)
        {
            return TypedResults.NotFound();
        }

        var h = http.Response.Headers;
        h.CacheControl = "no-store";
        long offset = upload.ResultInputId is null ? Math.Min(upload.Offset, HeldBytes(store.UploadPath(upload.Id))) : upload.Offset;
        h[TusHeaders.UploadOffset] = offset.ToString(CultureInfo.InvariantCulture);
        h[TusHeaders.UploadLength] = upload.Length.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(upload.Metadata))
        {
            h[TusHeaders.UploadMetadata] = upload.Metadata;
        }

        if (upload.ResultInputId is { } input)
        {
            h[InputHeader] = $"/api/v1/inputs/{input}";
        }

        return TypedResults.Ok();
    }

    private static async Task<IResult> Patch(Guid id, HttpContext http, ClaimsPrincipal user, SegWebDbContext db, FileStore store, InputService inputs, UploadLocks locks)
    {
        var request = http.Request;
        if (!string.Equals(request.ContentType, TusHeaders.OffsetContentType, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"PATCH needs Content-Type: {TusHeaders.OffsetContentType}", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (TusHeaders.ReadLength(request, TusHeaders.UploadOffset) is not { } offset)
        {
            return TypedResults.Problem("Upload-Offset must be a non-negative integer", statusCode: StatusCodes.Status400BadRequest);
        }

        string owner = user.UserId();
        if (!await db.Uploads.AnyAsync(u => u.Id == id && u.OwnerId == owner, http.RequestAborted))
        {
            return TypedResults.NotFound();
        }

        using var held = await locks.TryTakeAsync(id, TimeSpan.FromSeconds(2));
        if (held is null)
        {
            return TypedResults.Problem("another PATCH to this upload is in progress", statusCode: StatusCodes.Status423Locked);
        }

        // Read under the lock: the offset another PATCH just saved is the one to check against.
        var upload = await db.Uploads.FirstOrDefaultAsync(u => u.Id == id && u.OwnerId == owner, http.RequestAborted);
        if (upload is null)
        {
            return TypedResults.NotFound();
        }

        string path = store.UploadPath(upload.Id);
        if (upload.ResultInputId is null && HeldBytes(path) < upload.Offset)
        {
            // The saved offset promises bytes the file lost (a power cut after the checkpoint reached SQLite): the
            // client resends from what the file really holds rather than the server padding the gap.
            upload.Offset = HeldBytes(path);
            await db.SaveChangesAsync(CancellationToken.None);
        }

        if (offset != upload.Offset || upload.ResultInputId is not null)
        {
            http.Response.Headers[TusHeaders.UploadOffset] = upload.Offset.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem($"Upload-Offset {offset} does not match the upload's offset {upload.Offset}", statusCode: StatusCodes.Status409Conflict);
        }

        long remaining = upload.Length - upload.Offset;
        if (request.ContentLength is { } declared && declared > remaining)
        {
            return TypedResults.Problem($"the PATCH body of {declared} bytes passes the declared Upload-Length ({remaining} bytes remain)", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        RequestBody.AllowBodyOf(http, remaining);
        bool interrupted;
        await using (var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            // After a crash the file may hold bytes past the offset SQLite saved; they are not trusted: cut back.
            file.SetLength(upload.Offset);
            file.Position = upload.Offset;
            long start = upload.Offset;
            (long copied, interrupted) = await RequestBody.CopyToAsync(http, file, remaining, CheckpointBytes, async written =>
            {
                upload.Offset = start + written;
                await db.SaveChangesAsync(CancellationToken.None);
            });
            await file.FlushAsync(CancellationToken.None);
            upload.Offset = start + copied;
            await db.SaveChangesAsync(CancellationToken.None);
        }

        http.Response.Headers[TusHeaders.UploadOffset] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        if (interrupted || upload.Offset < upload.Length)
        {
            return TypedResults.NoContent();
        }

        return await FinishAsync(http, upload, path, db, inputs);
    }

    /// <summary>The last byte arrived: the file becomes (or joins) an input; if it is not a usable study the upload is gone too.</summary>
    private static async Task<IResult> FinishAsync(HttpContext http, UploadRecord upload, string path, SegWebDbContext db, InputService inputs)
    {
        try
        {
            Guid inputId;
            if (upload.TargetInputId is { } target)
            {
                var input = await inputs.FindOpenAsync(upload.OwnerId, target, CancellationToken.None)
                    ?? throw new Imaging.SegWebException($"the input {target} is no longer open");
                await inputs.AddFileAsync(input, path, upload.FileName);
                inputId = input.Id;
            }
            else
            {
                inputId = (await inputs.CreateFromFileAsync(upload.OwnerId, path, upload.FileName, CancellationToken.None)).Id;
            }

            upload.ResultInputId = inputId;
            await db.SaveChangesAsync(CancellationToken.None);
            http.Response.Headers[InputHeader] = $"/api/v1/inputs/{inputId}";
            return TypedResults.NoContent();
        }
        catch
        {
            FileStore.DeleteQuietly(path);
            db.Uploads.Remove(upload);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>The bytes an upload's .part file holds (0 when it is missing).</summary>
    private static long HeldBytes(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    private static async Task<IResult> Terminate(Guid id, ClaimsPrincipal user, SegWebDbContext db, FileStore store, UploadLocks locks)
    {
        string owner = user.UserId();
        var upload = await db.Uploads.FirstOrDefaultAsync(u => u.Id == id && u.OwnerId == owner);
        if (upload is null)
        {
            return TypedResults.NotFound();
        }

        using var held = await locks.TryTakeAsync(id, TimeSpan.FromSeconds(10));
        db.Uploads.Remove(upload);
        await db.SaveChangesAsync(CancellationToken.None);
        FileStore.DeleteQuietly(store.UploadPath(id));
        return TypedResults.NoContent();
    }
}
