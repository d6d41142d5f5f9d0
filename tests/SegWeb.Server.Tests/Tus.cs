using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace SegWeb.Server.Tests;

/// <summary>A minimal tus 1.0.0 client for the tests (what tus-js-client sends).</summary>
internal static class Tus
{
    public static HttpRequestMessage Create(long length, IDictionary<string, string>? metadata = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/uploads");
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        if (metadata is { Count: > 0 })
        {
            request.Headers.Add("Upload-Metadata", string.Join(',', metadata.Select(kv => $"{kv.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(kv.Value))}")));
        }

        request.Content = new ByteArrayContent([]);
        return request;
    }

    public static HttpRequestMessage Head(Uri location)
    {
        var request = new HttpRequestMessage(HttpMethod.Head, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    public static HttpRequestMessage Patch(Uri location, long offset, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        request.Content = content;
        return request;
    }

    public static HttpRequestMessage Patch(Uri location, long offset, ReadOnlyMemory<byte> bytes) =>
        Patch(location, offset, new ReadOnlyMemoryContent(bytes));

    public static HttpRequestMessage Delete(Uri location)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    public static long Offset(HttpResponseMessage response) =>
        long.Parse(response.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);

    public static async Task<Uri> CreateAsync(HttpClient client, long length, IDictionary<string, string>? metadata = null)
    {
        using var response = await client.SendAsync(Create(length, metadata));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Resumable").Single());
        return response.Headers.Location ?? throw new InvalidOperationException("no Location");
    }

    /// <summary>Uploads all bytes in chunks; returns the final PATCH response.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string name, int chunk = 64 << 10)
    {
        var location = await CreateAsync(client, bytes.Length, new Dictionary<string, string> { ["filename"] = name });
        HttpResponseMessage? last = null;
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            last?.Dispose();
            last = await client.SendAsync(Patch(location, offset, bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset))));
            if (!last.IsSuccessStatusCode)
            {
                return last;
            }
        }

        return last!;
    }
}

/// <summary>Sends some bytes, then fails: the connection breaks mid-PATCH like a dropped network.</summary>
internal sealed class BreakingContent(byte[] bytes, int sendBeforeBreak) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(bytes.AsMemory(0, sendBeforeBreak));
        await stream.FlushAsync();
        await Task.Delay(300);
        throw new IOException("simulated network failure");
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
