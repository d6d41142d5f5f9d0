using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Accounts;
using SegWeb.Server.Options;
using SegWeb.Server.Storage;
using SegWeb.Server.Uploads;

namespace SegWeb.Server.Inputs;

/// <summary>
/// /api/v1/inputs: plain single-request uploads (<c>curl -T study.nii.gz URL</c>), multi-file inputs (create open,
/// add files, complete), and reading and deleting one's own inputs. Another user's input is a 404, never a 403.
/// </summary>
public static class InputEndpoints
{
    /// <summary>Body of POST /api/v1/inputs: an open input for many files.</summary>
    public sealed record CreateOpenInputRequest(string? Name);

    public static IEndpointRouteBuilder MapInputEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/inputs").WithTags("Inputs");
        group.MapGet("", List);
        group.MapGet("/{id:guid}", Get);
        group.MapDelete("/{id:guid}", Delete);
        group.MapPut("", PutStudy).RequireRateLimiting(RateLimits.Uploads);
        group.MapPut("/{name}", PutStudy).RequireRateLimiting(RateLimits.Uploads);
        group.MapPost("", CreateOpen).RequireRateLimiting(RateLimits.Uploads);
        group.MapPost("/{id:guid}/files", AddFile);
        group.MapPost("/{id:guid}/complete", Complete);
        return app;
    }

    private static async Task<Ok<List<InputView>>> List(ClaimsPrincipal user, SegWebDbContext db, CancellationToken ct, int skip = 0, int take = 50)
    {
        string owner = user.UserId();
        var rows = await db.Inputs.AsNoTracking().Where(i => i.OwnerId == owner).OrderByDescending(i => i.CreatedAt)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(InputView.From).ToList());
    }

    private static async Task<Results<Ok<InputView>, NotFound>> Get(Guid id, ClaimsPrincipal user, SegWebDbContext db, CancellationToken ct)
    {
        string owner = user.UserId();
        var input = await db.Inputs.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id && i.OwnerId == owner, ct);
        return input is null ? TypedResults.NotFound() : TypedResults.Ok(InputView.From(input));
    }

    private static async Task<Results<NoContent, NotFound>> Delete(Guid id, ClaimsPrincipal user, SegWebDbContext db, InputService inputs, Audit.AuditLog audit, CancellationToken ct)
    {
        string owner = user.UserId();
        var input = await db.Inputs.FirstOrDefaultAsync(i => i.Id == id && i.OwnerId == owner, ct);
        if (input is null)
        {
            return TypedResults.NotFound();
        }

        await inputs.DeleteAsync(input);
        await audit.RecordAsync(Audit.AuditActions.Delete, "input", input.Id.ToString());
        return TypedResults.NoContent();
    }

    /// <summary>The whole study as the raw request body; the optional last path segment or ?name= is its display name.</summary>
    private static async Task<IResult> PutStudy(HttpContext http, ClaimsPrincipal user, InputService inputs, FileStore store, IOptions<ServerOptions> options, string? name = null)
    {
        string temp = await ReceiveAsync(http, store, options.Value.MaxUploadBytes);
        var input = await inputs.CreateFromFileAsync(user.UserId(), temp, name ?? http.Request.Query["name"], CancellationToken.None);
        return TypedResults.Created($"/api/v1/inputs/{input.Id}", InputView.From(input));
    }

    private static async Task<Created<InputView>> CreateOpen(CreateOpenInputRequest? request, ClaimsPrincipal user, InputService inputs, CancellationToken ct)
    {
        var input = await inputs.CreateOpenAsync(user.UserId(), request?.Name, ct);
        return TypedResults.Created($"/api/v1/inputs/{input.Id}", InputView.From(input));
    }

    private static async Task<IResult> AddFile(Guid id, HttpContext http, ClaimsPrincipal user, InputService inputs, FileStore store, IOptions<ServerOptions> options, string? name = null)
    {
        var input = await inputs.FindOpenAsync(user.UserId(), id, http.RequestAborted);
        if (input is null)
        {
            return TypedResults.NotFound();
        }

        string temp = await ReceiveAsync(http, store, options.Value.MaxUploadBytes - input.TotalBytes);
        await inputs.AddFileAsync(input, temp, name);
        return TypedResults.Ok(InputView.From(input));
    }

    private static async Task<IResult> Complete(Guid id, ClaimsPrincipal user, InputService inputs, CancellationToken ct)
    {
        var input = await inputs.FindOpenAsync(user.UserId(), id, ct);
        if (input is null)
        {
            return TypedResults.NotFound();
        }

        await inputs.CompleteAsync(input, ct);
        return TypedResults.Ok(InputView.From(input));
    }

    /// <summary>Streams the body into tmp/, all or nothing: an over-limit or interrupted body leaves no file.</summary>
    private static async Task<string> ReceiveAsync(HttpContext http, FileStore store, long maxBytes)
    {
        if (http.Request.ContentLength is { } declared && declared > maxBytes)
        {
            throw new UploadTooLargeException($"the body declares {declared} bytes, more than the limit of {maxBytes}");
        }

        RequestBody.AllowBodyOf(http, maxBytes);
        string temp = store.NewTempPath();
        try
        {
            bool interrupted;
            long copied;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                (copied, interrupted) = await RequestBody.CopyToAsync(http, file, maxBytes);
            }

            if (interrupted || (http.Request.ContentLength is { } expected && copied != expected))
            {
                throw new Microsoft.AspNetCore.Http.BadHttpRequestException($"the upload stopped after {copied} bytes");
            }

            return temp;
        }
        catch
        {
            FileStore.DeleteQuietly(temp);
            throw;
        }
    }
}
