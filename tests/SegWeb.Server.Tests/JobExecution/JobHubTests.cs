using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Tests.JobExecution;

/// <summary>/hubs/jobs: jobUpdated reaches the job's owner and the administrators, and nobody else.</summary>
public sealed class JobHubTests
{
    private sealed record UpdateDto(Guid Id, string State, string? Stage, double Progress, double? EtaSeconds, string? Error);

    private sealed class Listener : IAsyncDisposable
    {
        private readonly HubConnection _connection;

        private Listener(HubConnection connection)
        {
            _connection = connection;
            _connection.On<UpdateDto>(JobHub.JobUpdated, Updates.Enqueue);
        }

        public ConcurrentQueue<UpdateDto> Updates { get; } = new();

        public static async Task<Listener> ConnectAsync(SegWebServer server, string key)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(server.Address, JobHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(key))
                .Build();
            var listener = new Listener(connection);
            await connection.StartAsync();
            return listener;
        }

        public List<UpdateDto> For(Guid jobId) => Updates.Where(u => u.Id == jobId).ToList();

        public async Task WaitForAsync(Guid jobId, string state)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!Updates.Any(u => u.Id == jobId && u.State == state))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no '{state}' update for job {jobId}; got: {string.Join(", ", For(jobId).Select(u => u.State))}");
                await Task.Delay(20);
            }
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }

    [Fact]
    public async Task Updates_reach_the_owner_and_the_admin_but_not_another_user()
    {
        var runner = new ScriptedRunner();
        using var server = JobExecutionServer.Start(runner);
        var (alice, aliceKey, _) = await server.NewUserAsync();
        var (bob, bobKey, _) = await server.NewUserAsync();
        using var adminCookie = await server.AdminCookieClientAsync();
        var adminKey = (await (await adminCookie.PostAsJsonAsync("/api/v1/account/keys", new { name = "hub" })).Content.ReadFromJsonAsync<KeyDto>())!.Key;

        await using var aliceHub = await Listener.ConnectAsync(server, aliceKey);
        await using var bobHub = await Listener.ConnectAsync(server, bobKey);
        await using var adminHub = await Listener.ConnectAsync(server, adminKey);
        using (alice)
        using (bob)
        {
            Guid jobId = await JobExecutionServer.CreateJobAsync(alice, await JobExecutionServer.UploadAsync(alice), "gated");
            await aliceHub.WaitForAsync(jobId, "running");
            runner.Release.SetResult();
            await aliceHub.WaitForAsync(jobId, "succeeded");
            await adminHub.WaitForAsync(jobId, "succeeded");

            var seen = aliceHub.For(jobId);
            Assert.Equal("queued", seen[0].State);
            Assert.Contains(seen, u => u.State == "running" && u.Stage == "inference" && u.Progress is > 0 and < 1);
            var last = seen[^1];
            Assert.Equal(("succeeded", "done", 1.0), (last.State, last.Stage, last.Progress));
            var running = seen.Where(u => u.State == "running").Select(u => u.Progress).ToList();
            Assert.Equal(running.Order(), running);

            // The record the API returns agrees with the last push.
            var job = await JobExecutionServer.GetAsync(alice, jobId);
            Assert.Equal((job.State, job.Stage, job.Progress), (last.State, last.Stage, last.Progress));

            // Deleting is pushed too.
            Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/v1/jobs/{jobId}")).StatusCode);
            await aliceHub.WaitForAsync(jobId, "deleted");
            await adminHub.WaitForAsync(jobId, "deleted");

            // Bob's connection (open all along, same hub) heard nothing of Alice's job; give a late message time to land.
            await Task.Delay(300);
            Assert.Empty(bobHub.Updates);
            Assert.Equal(aliceHub.For(jobId).Select(u => u.State).Distinct(), adminHub.For(jobId).Select(u => u.State).Distinct());
        }
    }

    [Fact]
    public async Task The_hub_needs_a_signed_in_user_and_takes_access_token_only_on_hub_paths()
    {
        using var server = JobExecutionServer.Start(new ScriptedRunner());
        var (client, key, _) = await server.NewUserAsync();
        client.Dispose();

        var anonymous = new HubConnectionBuilder().WithUrl(new Uri(server.Address, JobHub.Path)).Build();
        await using (anonymous)
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var revokedOrWrong = new HubConnectionBuilder()
            .WithUrl(new Uri(server.Address, JobHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>("sw_not-a-key"))
            .Build();
        await using (revokedOrWrong)
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => revokedOrWrong.StartAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Browsers send the key as access_token on WebSocket/SSE requests: accepted on the hub, ignored elsewhere.
        using var anon = server.Anonymous();
        using (var negotiate = await anon.PostAsync($"{JobHub.Path}/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(key)}", null))
        {
            Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        }

        using (var noToken = await anon.PostAsync($"{JobHub.Path}/negotiate?negotiateVersion=1", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        }

        using var elsewhere = await anon.GetAsync($"/api/v1/inputs?access_token={Uri.EscapeDataString(key)}");
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
    }

    private sealed record KeyDto(Guid Id, string Name, string Key);
}
