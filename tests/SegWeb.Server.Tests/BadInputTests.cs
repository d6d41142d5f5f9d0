using System.Net;
using System.Net.Http.Json;

namespace SegWeb.Server.Tests;

/// <summary>Hostile and broken uploads: each is a 4xx problem+json naming the problem, and leaves no file behind.</summary>
public sealed class BadInputTests(SegWebServer server) : IClassFixture<SegWebServer>
{
    public static TheoryData<string, string> Cases => new()
    {
        { "truncated-gzip", "truncated" },
        { "zip-slip", "unsafe name" },
        { "empty", "empty" },
        { "jpeg-as-dcm", "JPEG" },
        { "zip-bomb", "zip bomb" },
        { "random-bytes", "not a NIfTI file" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Plain_upload_is_refused_with_a_named_problem_and_nothing_stored(string kind, string expected)
    {
        var (client, _, _) = await server.NewUserAsync();
        var (name, bytes) = Make(kind);
        using var response = await client.PutAsync($"/api/v1/inputs/{name}", new ByteArrayContent(bytes));
        await AssertRefused(response, expected, name);
        Assert.Empty(server.StoredFiles());
        Assert.Empty((await client.GetFromJsonAsync<InputDto[]>("/api/v1/inputs"))!);
    }

    [Theory]
    [InlineData("truncated-gzip", "truncated")]
    [InlineData("jpeg-as-dcm", "JPEG")]
    [InlineData("zip-slip", "unsafe name")]
    [InlineData("zip-bomb", "zip bomb")]
    [InlineData("random-bytes", "not a NIfTI file")]
    public async Task Tus_upload_is_refused_on_its_last_patch_and_nothing_stored(string kind, string expected)
    {
        var (client, _, _) = await server.NewUserAsync();
        var (name, bytes) = Make(kind);
        var location = await Tus.CreateAsync(client, bytes.Length, new Dictionary<string, string> { ["filename"] = name });
        using var response = await client.SendAsync(Tus.Patch(location, 0, bytes));
        await AssertRefused(response, expected, name);
        Assert.Empty(server.StoredFiles());
        using var head = await client.SendAsync(Tus.Head(location));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Completing_a_multi_file_input_without_dicom_is_422_and_deletes_it()
    {
        var (client, _, _) = await server.NewUserAsync();
        using var created = await client.PostAsJsonAsync("/api/v1/inputs", new { name = "folder" });
        var open = (await created.Content.ReadFromJsonAsync<InputDto>())!;
        using (var added = await client.PostAsync($"/api/v1/inputs/{open.Id}/files?name=photo.dcm", new ByteArrayContent(Studies.Jpeg())))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        Assert.NotEmpty(server.StoredFiles());
        using var complete = await client.PostAsync($"/api/v1/inputs/{open.Id}/complete", null);
        await AssertRefused(complete, "no DICOM image series", "photo.dcm");
        Assert.Empty(server.StoredFiles());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/inputs/{open.Id}")).StatusCode);
    }

    [Fact]
    public async Task Tus_upload_of_zero_bytes_is_refused()
    {
        var (client, _, _) = await server.NewUserAsync();
        using var response = await client.SendAsync(Tus.Create(0));
        await AssertRefused(response, "empty", null);
        Assert.Empty(server.StoredFiles());
    }

    [Fact]
    public async Task Plain_upload_over_the_limit_is_413_and_nothing_stored()
    {
        var (client, _, _) = await server.NewUserAsync();
        // Expect: 100-continue, as curl sends for large bodies: the server refuses on the declared length before any byte.
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/inputs/big.nii") { Content = new ByteArrayContent(new byte[(64 << 20) + 1]) };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(server.StoredFiles());
    }

    [Fact]
    public async Task Tus_upload_declaring_5_GB_is_413_and_nothing_stored()
    {
        var (client, _, _) = await server.NewUserAsync();
        using var response = await client.SendAsync(Tus.Create(FiveGigabytes, new Dictionary<string, string> { ["filename"] = "huge.nii" }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertRefused(response, $"Upload-Length {FiveGigabytes} is more than the limit", null);
        Assert.Null(response.Headers.Location);
        Assert.Empty(server.StoredFiles());
    }

    [Fact]
    public async Task Plain_upload_declaring_5_GB_with_expect_continue_is_413_before_any_body_byte()
    {
        var (client, _, _) = await server.NewUserAsync();
        var body = new DeclaredContent(FiveGigabytes);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/inputs/huge.nii") { Content = body };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertRefused(response, $"declares {FiveGigabytes} bytes", null);
        Assert.Equal(0, body.Sent);
        Assert.Empty(server.StoredFiles());
    }

    [Fact]
    public async Task Plain_upload_declaring_5_GB_without_expect_is_413_on_the_headers_and_nothing_stored()
    {
        // Raw HTTP/1.1, as a client that just starts pushing the body: HttpClient would not hand back the answer
        // before its 5 GB body is sent, a socket shows that the server answered after the first bytes.
        var (_, key, _) = await server.NewUserAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Address.Host, server.Address.Port);
        var stream = tcp.GetStream();
        string head = $"PUT /api/v1/inputs/huge.nii HTTP/1.1\r\nHost: {server.Address.Authority}\r\nAuthorization: Bearer {key}\r\n" +
            $"Content-Length: {FiveGigabytes}\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(new byte[DeclaredContent.Burst]);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string status = (await reader.ReadLineAsync(timeout.Token))!;
        Assert.StartsWith("HTTP/1.1 413", status, StringComparison.Ordinal);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (string? line = await reader.ReadLineAsync(timeout.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(timeout.Token))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        Assert.Equal("application/problem+json", headers["Content-Type"].Split(';')[0]);
        var chunked = headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        string body = chunked ? (await reader.ReadLineAsync(timeout.Token) is { } size ? new string(await ReadAsync(reader, Convert.ToInt32(size, 16), timeout.Token)) : "")
            : new string(await ReadAsync(reader, int.Parse(headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture), timeout.Token));
        Assert.Contains($"declares {FiveGigabytes} bytes", body, StringComparison.Ordinal);
        Assert.Empty(server.StoredFiles());
    }

    private static async Task<char[]> ReadAsync(StreamReader reader, int count, CancellationToken ct)
    {
        var buffer = new char[count];
        int read = 0;
        while (read < count)
        {
            int n = await reader.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer[..read];
    }

    [Fact]
    public async Task A_file_declaring_5_GB_for_an_open_input_is_413_and_leaves_the_input_as_it_was()
    {
        var (client, _, _) = await server.NewUserAsync();
        using var created = await client.PostAsJsonAsync("/api/v1/inputs", new { name = "folder" });
        var open = (await created.Content.ReadFromJsonAsync<InputDto>())!;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/inputs/{open.Id}/files?name=big.dcm") { Content = new DeclaredContent(FiveGigabytes) };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);
        await AssertRefused(response, $"declares {FiveGigabytes} bytes", null);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(server.StoredFiles());
        Assert.Equal(0, (await client.GetFromJsonAsync<InputDto>($"/api/v1/inputs/{open.Id}"))!.Files);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/inputs/{open.Id}")).StatusCode);
    }

    private const long FiveGigabytes = 5_000_000_000;

    private static async Task AssertRefused(HttpResponseMessage response, string expected, string? name)
    {
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"status {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Contains(expected, problem!.Detail, StringComparison.OrdinalIgnoreCase);
        if (name is not null)
        {
            Assert.Contains(name, problem.Detail, StringComparison.Ordinal);
        }

        // The client sees its own file name, never the server's folders.
        Assert.DoesNotContain("segweb-server-", problem.Detail, StringComparison.Ordinal);
    }

    private static (string Name, byte[] Bytes) Make(string kind) => kind switch
    {
        "truncated-gzip" => ("cut.nii.gz", Studies.Nifti(gzip: true)[..^4000]),
        "zip-slip" => ("slip.zip", Studies.Zip(("ok/a.dcm", new byte[200]), ("../../etc/evil.dcm", new byte[200]))),
        "empty" => ("empty.nii", []),
        "jpeg-as-dcm" => ("photo.dcm", Studies.Jpeg()),
        "zip-bomb" => ("bomb.zip", Studies.Zip(("zeros.dcm", new byte[48 << 20]))),
        "random-bytes" => ("noise.bin", Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// A body that declares <c>length</c> bytes but sends only a first burst of zeros, then waits: a server that reads on
/// instead of refusing on the declared length makes the test time out instead of uploading gigabytes.
/// </summary>
internal sealed class DeclaredContent(long length) : HttpContent
{
    public const int Burst = 64 << 10;

    private long _sent;

    public long Sent => Interlocked.Read(ref _sent);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(new byte[Burst]);
        await stream.FlushAsync();
        Interlocked.Add(ref _sent, Burst);
        await Task.Delay(TimeSpan.FromSeconds(30));
        throw new IOException("the test's declared body never sends the rest");
    }

    protected override bool TryComputeLength(out long length1)
    {
        length1 = length;
        return true;
    }
}
