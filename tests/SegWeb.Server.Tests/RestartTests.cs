using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace SegWeb.Server.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task Upload_resumes_from_its_offset_after_a_server_restart()
    {
        using var data = new TempDirectory("server-restart");
        byte[] study = Studies.Nifti(gzip: true, seed: 11);
        int half = study.Length / 2;
        Uri location;
        string key;
        using (var first = new SegWebServer(data.Path))
        {
            (var client, key, _) = await first.NewUserAsync();
            location = await Tus.CreateAsync(client, study.Length, new Dictionary<string, string> { ["filename"] = "ct.nii.gz" });
            using var patch = await client.SendAsync(Tus.Patch(location, 0, study.AsMemory(0, half)));
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        using var second = new SegWebServer(data.Path);
        var again = second.Anonymous();
        again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var path = location; // relative: the new server listens on another port
        using (var head = await again.SendAsync(Tus.Head(path)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(half, Tus.Offset(head));
        }

        using var rest = await again.SendAsync(Tus.Patch(path, half, study.AsMemory(half)));
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        var input = await again.GetFromJsonAsync<InputDto>(rest.Headers.GetValues("SegWeb-Input").Single());
        Assert.Equal("ready", input!.State);
        Assert.Equal(study.Length, input.Bytes);
    }

    [Fact]
    public async Task Upload_whose_part_file_lost_its_tail_resumes_from_what_the_file_holds()
    {
        using var data = new TempDirectory("server-restart-tail");
        byte[] study = Studies.Nifti(gzip: false, seed: 12);
        int sent = study.Length * 2 / 3;
        Uri location;
        string key;
        using (var first = new SegWebServer(data.Path))
        {
            (var client, key, _) = await first.NewUserAsync();
            location = await Tus.CreateAsync(client, study.Length, new Dictionary<string, string> { ["filename"] = "ct.nii" });
            using var patch = await client.SendAsync(Tus.Patch(location, 0, study.AsMemory(0, sent)));
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        // A power cut: SQLite kept the offset, the file system lost the last pages the server had written.
        string part = Directory.GetFiles(Path.Combine(data.Path, "uploads"), "*.part").Single();
        int held = sent - 5000;
        using (var file = new FileStream(part, FileMode.Open))
        {
            file.SetLength(held);
        }

        using var second = new SegWebServer(data.Path);
        var again = second.Anonymous();
        again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using (var head = await again.SendAsync(Tus.Head(location)))
        {
            Assert.Equal(held, Tus.Offset(head));
        }

        // A client that trusted the old offset is told the real one; resuming from it gives the study back intact.
        using (var stale = await again.SendAsync(Tus.Patch(location, sent, study.AsMemory(sent))))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Equal(held, Tus.Offset(stale));
        }

        using var rest = await again.SendAsync(Tus.Patch(location, held, study.AsMemory(held)));
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        var input = await again.GetFromJsonAsync<InputDto>(rest.Headers.GetValues("SegWeb-Input").Single());
        string stored = Directory.GetFiles(Path.Combine(data.Path, "inputs", input!.Id.ToString("N"))).Single();
        Assert.Equal(study, await File.ReadAllBytesAsync(stored));
    }
}
