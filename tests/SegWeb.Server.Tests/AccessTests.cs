using System.Net;
using System.Net.Http.Json;

namespace SegWeb.Server.Tests;

public sealed class AccessTests(SegWebServer server) : IClassFixture<SegWebServer>
{
    [Theory]
    [InlineData("GET", "/api/v1/inputs")]
    [InlineData("PUT", "/api/v1/inputs")]
    [InlineData("POST", "/api/v1/uploads")]
    [InlineData("GET", "/api/v1/account/keys")]
    [InlineData("GET", "/openapi/v1.json")]
    [InlineData("POST", "/api/v1/jobs")]
    public async Task Requests_without_credentials_get_401_problem(string method, string url)
    {
        using var client = server.Anonymous();
        var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new ByteArrayContent([1, 2, 3]) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(server.StoredFiles());
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_answers_anonymously(string url)
    {
        using var client = server.Anonymous();
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Another_users_input_and_upload_are_404_on_every_route()
    {
        var (alice, _, _) = await server.NewUserAsync();
        var (bob, _, _) = await server.NewUserAsync();
        using var put = await alice.PutAsync("/api/v1/inputs/a.nii.gz", new ByteArrayContent(Studies.Nifti(gzip: true)));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var ready = (await put.Content.ReadFromJsonAsync<InputDto>())!;
        using var opened = await alice.PostAsJsonAsync("/api/v1/inputs", new { name = "folder" });
        var open = (await opened.Content.ReadFromJsonAsync<InputDto>())!;
        var upload = await Tus.CreateAsync(alice, 1000);

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/v1/inputs/{ready.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/v1/inputs/{ready.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/api/v1/inputs/{ready.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/api/v1/inputs/{open.Id}/files?name=x.dcm", new ByteArrayContent([1]))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/api/v1/inputs/{open.Id}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.SendAsync(Tus.Head(upload))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.SendAsync(Tus.Patch(upload, 0, new byte[10]))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.SendAsync(Tus.Delete(upload))).StatusCode);
        using (var join = await bob.SendAsync(Tus.Create(10, new Dictionary<string, string> { ["input"] = open.Id.ToString() })))
        {
            Assert.Equal(HttpStatusCode.NotFound, join.StatusCode);
        }

        Assert.Empty((await bob.GetFromJsonAsync<InputDto[]>("/api/v1/inputs"))!);

        // Bob's attempts changed nothing of Alice's.
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/v1/inputs/{ready.Id}")).StatusCode);
        using var head = await alice.SendAsync(Tus.Head(upload));
        Assert.Equal(0, Tus.Offset(head));
    }

    [Fact]
    public async Task A_revoked_key_is_rejected_and_only_its_owner_can_revoke_it()
    {
        var (client, _, keyId) = await server.NewUserAsync();
        var (other, _, _) = await server.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/inputs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/v1/account/keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/inputs")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/account/keys/{keyId}")).StatusCode);
        using var after = await client.GetAsync("/api/v1/inputs");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Keys_are_listed_without_their_secret_and_stored_only_hashed()
    {
        using var admin = await server.AdminCookieClientAsync();
        using var created = await admin.PostAsJsonAsync("/api/v1/account/keys", new { name = "listing" });
        string body = await created.Content.ReadAsStringAsync();
        string key = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
        string listed = await admin.GetStringAsync("/api/v1/account/keys");
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.Contains("listing", listed, StringComparison.Ordinal);
        byte[] db = await File.ReadAllBytesAsync(Path.Combine(server.DataFolder, "segweb.db"));
        Assert.Equal(-1, db.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public async Task Cookie_login_works_and_a_wrong_password_is_401()
    {
        using var admin = await server.AdminCookieClientAsync();
        var me = await admin.GetFromJsonAsync<MeDto>("/api/v1/account/me");
        Assert.Equal(SegWebServer.AdminEmail, me!.Email);
        Assert.Contains("admin", me.Roles);

        using var anonymous = server.Anonymous();
        using var wrong = await anonymous.PostAsJsonAsync("/api/v1/account/login", new { email = SegWebServer.AdminEmail, password = "not-the-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Only_admins_create_users()
    {
        var (user, _, _) = await server.NewUserAsync();
        using var response = await user.PostAsJsonAsync("/api/v1/admin/users", new { email = "x@test.local", password = "Passw0rd-long!", role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_lists_the_routes_and_jobs_say_no_pipeline()
    {
        var (client, _, _) = await server.NewUserAsync();
        string doc = await client.GetStringAsync("/openapi/v1.json");
        foreach (var route in new[] { "/api/v1/uploads", "/api/v1/inputs/{id}", "/api/v1/account/keys" })
        {
            Assert.Contains($"\"{route}\"", doc, StringComparison.Ordinal);
        }

        using var put = await client.PutAsync("/api/v1/inputs/a.nii.gz", new ByteArrayContent(Studies.Nifti(gzip: true)));
        var input = (await put.Content.ReadFromJsonAsync<InputDto>())!;
        using var job = await client.PostAsJsonAsync("/api/v1/jobs", new { inputId = input.Id, task = "total" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, job.StatusCode);
        Assert.Contains("no segmentation pipeline", (await job.Content.ReadFromJsonAsync<ProblemDto>())!.Detail, StringComparison.Ordinal);
        Assert.Equal("nosniff", job.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Empty((await client.GetFromJsonAsync<JobDto[]>("/api/v1/jobs"))!);
    }

    private sealed record MeDto(string Id, string? Email, string[] Roles);
}
