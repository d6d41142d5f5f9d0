using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using SegWeb.Server.Tests.JobExecution;

namespace SegWeb.Server.Tests;

/// <summary>The audit log: each audited action writes one row naming who, what and from where; only admins read it.</summary>
public sealed class AuditTests
{
    private sealed record AuditDto(long Id, DateTime Time, string? UserId, string Action, string? TargetKind, string? TargetId, string? ClientIp);

    private sealed record MeDto(string Id, string? Email, string[] Roles);

    private sealed record KeyDto(Guid Id, string Name, string Key);

    [Fact]
    public async Task Every_audited_action_is_recorded_with_user_target_and_client_address()
    {
        using var server = JobExecutionServer.Start(new ScriptedRunner());
        var started = DateTime.UtcNow.AddSeconds(-1);
        var (client, _, keyId) = await server.NewUserAsync();
        using var admin = await server.AdminCookieClientAsync();
        string userId = (await client.GetFromJsonAsync<MeDto>("/api/v1/account/me"))!.Id;

        Guid inputId = await JobExecutionServer.UploadAsync(client);
        using (var tus = await Tus.UploadAsync(client, Studies.Nifti(gzip: true), "b.nii.gz"))
        {
            Assert.Equal(HttpStatusCode.NoContent, tus.StatusCode);
        }

        Guid jobId = await JobExecutionServer.CreateJobAsync(client, inputId, "ok");
        Assert.Equal("succeeded", (await JobExecutionServer.WaitFinalAsync(client, jobId)).State);
        Assert.Equal("ok", await client.GetStringAsync($"/api/v1/jobs/{jobId}/results/ok.txt"));
        using (var tail = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{jobId}/results/ok.txt"))
        {
            // A later range of a file being streamed is not another download.
            tail.Headers.Range = new RangeHeaderValue(1, 1);
            using var partial = await client.SendAsync(tail);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/jobs/{jobId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/inputs/{inputId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/account/keys/{keyId}")).StatusCode);

        var events = (await admin.GetFromJsonAsync<AuditDto[]>("/api/v1/admin/audit?take=1000"))!;
        Assert.Equal(events.OrderByDescending(e => e.Id).Select(e => e.Id), events.Select(e => e.Id));
        Assert.All(events, e => Assert.True(e.Time >= started && e.Time <= DateTime.UtcNow.AddSeconds(1), $"{e.Action} at {e.Time:O}"));
        Assert.All(events, e => Assert.Equal("127.0.0.1", e.ClientIp));
        var mine = events.Where(e => e.UserId == userId).Reverse().Select(e => (e.Action, e.TargetKind, e.TargetId)).ToList();
        Assert.Equal(
            [
                ("login", "user", userId),
                ("key-created", "api-key", keyId.ToString()),
                ("upload", "input", inputId.ToString()),
                ("upload", "input", mine[3].TargetId),
                ("job-created", "job", jobId.ToString()),
                ("download", "result", $"{jobId}/ok.txt"),
                ("delete", "job", jobId.ToString()),
                ("delete", "input", inputId.ToString()),
                ("key-revoked", "api-key", keyId.ToString()),
            ],
            mine);
        Assert.NotEqual(inputId.ToString(), mine[3].TargetId);
        Assert.True(Guid.TryParse(mine[3].TargetId, out _));

        // The administrator's own logins are there too (two: NewUserAsync's and this test's).
        string adminId = (await admin.GetFromJsonAsync<MeDto>("/api/v1/account/me"))!.Id;
        Assert.Equal(2, events.Count(e => e.UserId == adminId && e.Action == "login"));

        // Paging: newest first, skip/take.
        var page = (await admin.GetFromJsonAsync<AuditDto[]>("/api/v1/admin/audit?skip=1&take=2"))!;
        Assert.Equal(events.Skip(1).Take(2).Select(e => e.Id), page.Select(e => e.Id));
    }

    [Fact]
    public async Task Only_administrators_read_the_audit_log_and_failed_logins_record_nothing()
    {
        using var server = JobExecutionServer.Start(new ScriptedRunner());
        var (client, _, _) = await server.NewUserAsync();
        using (client)
        {
            using var forbidden = await client.GetAsync("/api/v1/admin/audit");
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using var anonymous = server.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/admin/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/account/login", new { email = SegWebServer.AdminEmail, password = "wrong-password" })).StatusCode);

        using var admin = await server.AdminCookieClientAsync();
        var events = (await admin.GetFromJsonAsync<AuditDto[]>("/api/v1/admin/audit"))!;
        Assert.Equal(3, events.Count(e => e.Action == "login"));
    }
}
