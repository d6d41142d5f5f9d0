using System.Net;
using System.Net.Http.Json;

namespace SegWeb.Server.Tests;

public sealed class TusProtocolTests(SegWebServer server) : IClassFixture<SegWebServer>
{
    [Fact]
    public async Task Options_advertises_version_extensions_and_max_size()
    {
        var (client, _, _) = await server.NewUserAsync();
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/api/v1/uploads"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
        Assert.Equal(["creation", "termination"], response.Headers.GetValues("Tus-Extension").Single().Split(','));
        Assert.Equal((64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("Tus-Max-Size").Single());
    }

    [Fact]
    public async Task Request_without_Tus_Resumable_is_412()
    {
        var (client, _, _) = await server.NewUserAsync();
        var request = Tus.Create(100);
        request.Headers.Remove("Tus-Resumable");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
    }

    [Fact]
    public async Task Chunked_upload_reports_offsets_and_becomes_a_described_input()
    {
        var (client, _, _) = await server.NewUserAsync();
        byte[] study = Studies.Nifti(gzip: true);
        var location = await Tus.CreateAsync(client, study.Length, new Dictionary<string, string> { ["filename"] = "ct.nii.gz" });

        using (var head = await client.SendAsync(Tus.Head(location)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(0, Tus.Offset(head));
            Assert.Equal(study.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), head.Headers.GetValues("Upload-Length").Single());
            Assert.Equal("no-store", head.Headers.CacheControl?.ToString());
        }

        int chunk = study.Length / 3 + 1;
        HttpResponseMessage? patch = null;
        for (int offset = 0; offset < study.Length; offset += chunk)
        {
            patch?.Dispose();
            patch = await client.SendAsync(Tus.Patch(location, offset, study.AsMemory(offset, Math.Min(chunk, study.Length - offset))));
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            long expected = Math.Min(offset + chunk, study.Length);
            Assert.Equal(expected, Tus.Offset(patch));
            if (expected < study.Length)
            {
                using var head = await client.SendAsync(Tus.Head(location));
                Assert.Equal(expected, Tus.Offset(head));
            }
        }

        string inputUrl = patch!.Headers.GetValues("SegWeb-Input").Single();
        var input = await client.GetFromJsonAsync<InputDto>(inputUrl);
        Assert.NotNull(input);
        Assert.Equal("ready", input.State);
        Assert.Equal("ct.nii.gz", input.Name);
        Assert.Equal("nifti-gz", input.Description!.Format);
        Assert.Equal([Studies.Shape.X, Studies.Shape.Y, Studies.Shape.Z], input.Description.Shape!);
        Assert.Equal(Studies.Spacing, input.Description.Spacing!.Select(s => Math.Round(s, 5)));
        Assert.Equal("Int16", input.Description.DataType);
    }

    [Fact]
    public async Task Patch_at_the_wrong_offset_is_409_and_changes_nothing()
    {
        var (client, _, _) = await server.NewUserAsync();
        var location = await Tus.CreateAsync(client, 1000);
        using (var first = await client.SendAsync(Tus.Patch(location, 0, new byte[100])))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using var wrong = await client.SendAsync(Tus.Patch(location, 50, new byte[100]));
        Assert.Equal(HttpStatusCode.Conflict, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        using var head = await client.SendAsync(Tus.Head(location));
        Assert.Equal(100, Tus.Offset(head));
    }

    [Fact]
    public async Task Patch_without_offset_content_type_is_415()
    {
        var (client, _, _) = await server.NewUserAsync();
        var location = await Tus.CreateAsync(client, 1000);
        var request = Tus.Patch(location, 0, new byte[10]);
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Termination_deletes_the_upload_and_its_file()
    {
        var (client, _, _) = await server.NewUserAsync();
        var location = await Tus.CreateAsync(client, 1000);
        using (var patch = await client.SendAsync(Tus.Patch(location, 0, new byte[300])))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        string id = location.ToString().Split('/').Last();
        string part = Path.Combine(server.DataFolder, "uploads", id + ".part");
        Assert.True(File.Exists(part));
        using (var delete = await client.SendAsync(Tus.Delete(location)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.False(File.Exists(part));
        using var head = await client.SendAsync(Tus.Head(location));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Declared_length_over_the_limit_is_413()
    {
        var (client, _, _) = await server.NewUserAsync();
        using var response = await client.SendAsync(Tus.Create(5L << 30));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("5368709120", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_past_the_declared_length_is_413()
    {
        var (client, _, _) = await server.NewUserAsync();
        var location = await Tus.CreateAsync(client, 100);
        using var response = await client.SendAsync(Tus.Patch(location, 0, new byte[200]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Interrupted_patch_resumes_from_the_offset_the_server_kept()
    {
        var (client, _, _) = await server.NewUserAsync();
        byte[] study = Studies.Nifti(gzip: false, seed: 7);
        var location = await Tus.CreateAsync(client, study.Length, new Dictionary<string, string> { ["filename"] = "ct.nii" });
        int sent = study.Length / 2;
        await Assert.ThrowsAnyAsync<Exception>(() => client.SendAsync(Tus.Patch(location, 0, new BreakingContent(study, sent))));

        // The server notices the broken connection asynchronously: ask until the offset it stored settles.
        long offset = 0;
        for (int i = 0; i < 150; i++)
        {
            using var head = await client.SendAsync(Tus.Head(location));
            offset = Tus.Offset(head);
            if (offset == sent)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(sent, offset);
        using var rest = await client.SendAsync(Tus.Patch(location, offset, study.AsMemory((int)offset)));
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        var input = await client.GetFromJsonAsync<InputDto>(rest.Headers.GetValues("SegWeb-Input").Single());
        Assert.Equal("nifti", input!.Description!.Format);
        Assert.Equal(study.Length, input.Bytes);
        string stored = Directory.GetFiles(Path.Combine(server.DataFolder, "inputs", input.Id.ToString("N"))).Single();
        Assert.Equal(study, await File.ReadAllBytesAsync(stored));
    }
}
