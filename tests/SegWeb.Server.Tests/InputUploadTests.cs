using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SegWeb.Server.Tests;

public sealed class InputUploadTests(SegWebServer server) : IClassFixture<SegWebServer>
{
    [SkippableFact]
    public async Task Real_nifti_by_tus_and_by_plain_put_is_described_like_nibabel_reads_it()
    {
        string path = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        ReferencePython.Require("nibabel");
        var reference = JsonSerializer.Deserialize<double[][]>(ReferencePython.Run(
            "import sys, json, nibabel as nib\nimg = nib.load(sys.argv[1])\nprint(json.dumps([list(map(float, img.shape)), list(map(float, img.header.get_zooms()))]))", path))!;
        byte[] bytes = await File.ReadAllBytesAsync(path);
        var (client, _, _) = await server.NewUserAsync();

        using var tus = await Tus.UploadAsync(client, bytes, "example_ct_sm.nii.gz", chunk: 100_000);
        Assert.Equal(HttpStatusCode.NoContent, tus.StatusCode);
        var viaTus = await client.GetFromJsonAsync<InputDto>(tus.Headers.GetValues("SegWeb-Input").Single());

        using var put = await client.PutAsync("/api/v1/inputs/example_ct_sm.nii.gz", new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var viaPut = await put.Content.ReadFromJsonAsync<InputDto>();

        foreach (var input in new[] { viaTus!, viaPut! })
        {
            Assert.Equal("nifti-gz", input.Description!.Format);
            Assert.Equal(reference[0].Select(d => (long)d), input.Description.Shape!);
            Assert.Equal(reference[1].Select(z => Math.Round(z, 4)), input.Description.Spacing!.Select(z => Math.Round(z, 4)));
            Assert.Equal(bytes.Length, input.Bytes);
        }

        Assert.NotEqual(viaTus!.Id, viaPut!.Id);
        var listed = await client.GetFromJsonAsync<InputDto[]>("/api/v1/inputs");
        Assert.Equal(2, listed!.Length);
    }

    [SkippableFact]
    public async Task Dicom_zip_becomes_an_input_with_one_ct_series()
    {
        string folder = TestData.Require("totalsegmentator/example_ct_dicom");
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
        byte[] zip = Studies.Zip(files.Select(f => ("series/" + Path.GetFileName(f), File.ReadAllBytes(f))).ToArray());
        var (client, _, _) = await server.NewUserAsync();

        using var put = await client.PutAsync("/api/v1/inputs?name=ct.zip", new ByteArrayContent(zip));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var input = await put.Content.ReadFromJsonAsync<InputDto>();
        var d = input!.Description!;
        Assert.Equal("dicom-zip", d.Format);
        Assert.Equal("CT", d.Modality);
        var series = Assert.Single(d.Series);
        Assert.Equal(files.Length, series.Instances);
        Assert.Equal([512L, 512L, files.Length], d.Shape!);
    }

    [SkippableFact]
    public async Task Dicom_folder_uploaded_file_by_file_becomes_one_input()
    {
        string folder = TestData.Require("totalsegmentator/example_ct_dicom");
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
        var (client, _, _) = await server.NewUserAsync();

        using var created = await client.PostAsJsonAsync("/api/v1/inputs", new { name = "example_ct_dicom" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var open = await created.Content.ReadFromJsonAsync<InputDto>();
        Assert.Equal("open", open!.State);

        // All but the last file as plain bodies, the last one through tus into the same input.
        foreach (var file in files[..^1])
        {
            using var added = await client.PostAsync($"/api/v1/inputs/{open.Id}/files?name={Uri.EscapeDataString(Path.GetFileName(file))}", new ByteArrayContent(File.ReadAllBytes(file)));
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        byte[] last = File.ReadAllBytes(files[^1]);
        var location = await Tus.CreateAsync(client, last.Length, new Dictionary<string, string> { ["filename"] = Path.GetFileName(files[^1]), ["input"] = open.Id.ToString() });
        using (var patch = await client.SendAsync(Tus.Patch(location, 0, last)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            Assert.Equal($"/api/v1/inputs/{open.Id}", patch.Headers.GetValues("SegWeb-Input").Single());
        }

        using var complete = await client.PostAsync($"/api/v1/inputs/{open.Id}/complete", null);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var input = await complete.Content.ReadFromJsonAsync<InputDto>();
        Assert.Equal("ready", input!.State);
        Assert.Equal(files.Length, input.Files);
        Assert.Equal("dicom-files", input.Description!.Format);
        Assert.Equal(files.Length, Assert.Single(input.Description.Series).Instances);

        // A ready input takes no more files.
        using var late = await client.PostAsync($"/api/v1/inputs/{open.Id}/files", new ByteArrayContent(last));
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);

        using var delete = await client.DeleteAsync($"/api/v1/inputs/{open.Id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(server.DataFolder, "inputs", open.Id.ToString("N"))));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/inputs/{open.Id}")).StatusCode);
    }

    [Fact]
    public async Task Files_added_in_parallel_to_one_open_input_are_all_counted_and_the_size_limit_holds()
    {
        // Regression: the count and size were read-modify-write on a row each request had loaded, so parallel adds
        // lost counts and could pass the limit together. 12 × 6 MiB against the test server's 64 MiB limit.
        const int Files = 12, FileBytes = 6 << 20;
        const long Limit = 64L << 20;
        var (client, _, _) = await server.NewUserAsync();
        using var created = await client.PostAsJsonAsync("/api/v1/inputs", new { name = "parallel" });
        var open = (await created.Content.ReadFromJsonAsync<InputDto>())!;

        var responses = await Task.WhenAll(Enumerable.Range(0, Files).Select(async i =>
        {
            await Task.Yield();
            using var response = await client.PostAsync($"/api/v1/inputs/{open.Id}/files?name=f{i}.dcm", new ByteArrayContent(new byte[FileBytes]));
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType);
        }));

        int accepted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r =>
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
            Assert.Equal("application/problem+json", r.MediaType);
        });
        Assert.Equal(Limit / FileBytes, accepted);
        var input = (await client.GetFromJsonAsync<InputDto>($"/api/v1/inputs/{open.Id}"))!;
        Assert.Equal(accepted, input.Files);
        Assert.Equal((long)accepted * FileBytes, input.Bytes);
        Assert.Equal(accepted, Directory.GetFiles(Path.Combine(server.DataFolder, "inputs", open.Id.ToString("N"))).Length);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/inputs/{open.Id}")).StatusCode);
    }
}
