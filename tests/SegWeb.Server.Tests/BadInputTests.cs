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
