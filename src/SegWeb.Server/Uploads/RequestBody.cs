using Microsoft.AspNetCore.Http.Features;
using SegWeb.Server.Inputs;

namespace SegWeb.Server.Uploads;

/// <summary>Streams a request body to a file in fixed-size chunks: memory stays bounded whatever the upload's size.</summary>
internal static class RequestBody
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Raises Kestrel's per-request body limit (30 MB by default) to what this route accepts.</summary>
    public static void AllowBodyOf(HttpContext context, long maxBytes)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = maxBytes;
        }
    }

    /// <summary>
    /// Copies the body to <paramref name="target"/>, at most <paramref name="maxBytes"/> bytes, calling
    /// <paramref name="checkpoint"/> with the bytes written every <paramref name="checkpointBytes"/>.
    /// </summary>
    /// <returns>Bytes copied, and whether the client stopped early (disconnect or a broken body).</returns>
    /// <exception cref="UploadTooLargeException">The body holds more than <paramref name="maxBytes"/>.</exception>
    public static async Task<(long Copied, bool Interrupted)> CopyToAsync(
        HttpContext context, FileStream target, long maxBytes, long checkpointBytes = long.MaxValue, Func<long, Task>? checkpoint = null)
    {
        var buffer = new byte[ChunkBytes];
        var body = context.Request.Body;
        long copied = 0;
        long sinceCheckpoint = 0;
        try
        {
            while (true)
            {
                int read = await body.ReadAsync(buffer, context.RequestAborted);
                if (read == 0)
                {
                    return (copied, false);
                }

                if (copied + read > maxBytes)
                {
                    throw new UploadTooLargeException($"the request body holds more than the {maxBytes} bytes allowed here");
                }

                await target.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
                copied += read;
                sinceCheckpoint += read;
                if (checkpoint is not null && sinceCheckpoint >= checkpointBytes)
                {
                    // On the disk before the checkpoint records it: a saved offset never promises bytes a power cut can take.
                    target.Flush(flushToDisk: true);
                    await checkpoint(copied);
                    sinceCheckpoint = 0;
                }
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new UploadTooLargeException($"the request body holds more than the {maxBytes} bytes allowed here");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away or sent a broken body: what arrived is kept (tus resumes from it).
            return (copied, true);
        }
    }
}
