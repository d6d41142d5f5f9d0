using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using SegWeb.Server.Components.Viewer;
using SegWeb.Server.Jobs;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>
/// The panel's markup, rendered on the server (Blazor's HtmlRenderer, the static first render) against a real
/// server's database and job folders. Its interactive part (JS interop) is the module API the browser tests cover;
/// a browser test of the panel itself waits for the app shell (pages, interactive render mode) at merge.
/// </summary>
public sealed class JobViewerPanelRenderTests
{
    [SkippableFact]
    public async Task Renders_the_structures_table_for_the_owner_and_a_problem_for_anyone_else()
    {
        string ct = TestData.Require("totalsegmentator/example_ct_sm.nii.gz");
        string seg = TestData.Require("totalsegmentator/example_seg.nii.gz");
        string stats = TestData.Require("totalsegmentator/example_seg_fast/statistics.json");
        using var data = new TempDirectory("segweb-viewer-panel");
        using var server = new SegWebServer(data.Path);
        var jobId = Guid.NewGuid();
        using (var scope = server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
            var folders = scope.ServiceProvider.GetRequiredService<JobFolders>();
            // No real user and input behind the row: this connection does without SQLite's foreign keys.
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
            db.Jobs.Add(new JobRecord
            {
                Id = jobId,
                OwnerId = "owner-a",
                InputId = Guid.NewGuid(),
                State = JobState.Succeeded,
                OptionsJson = "{}",
                CreatedAt = DateTime.UtcNow,
                OutputsJson = JsonSerializer.Serialize(new[] { "volume.nii.gz", "multilabel.nii.gz", "statistics.json" }),
            });
            await db.SaveChangesAsync();
            string results = folders.ResultsFolder(jobId);
            Directory.CreateDirectory(results);
            File.Copy(ct, Path.Combine(results, "volume.nii.gz"));
            File.Copy(seg, Path.Combine(results, "multilabel.nii.gz"));
            File.Copy(stats, Path.Combine(results, "statistics.json"));
        }

        string owner = await RenderAsync(server, jobId, "owner-a");
        var (r, g, b) = StructurePalette.ColorOf("liver");
        using var statsDoc = JsonDocument.Parse(File.ReadAllText(stats));
        double liverMl = statsDoc.RootElement.GetProperty("liver").GetProperty("volume").GetDouble() / 1000;
        Assert.Contains(">liver</button>", owner, StringComparison.Ordinal);
        Assert.Contains($"background:rgb({r} {g} {b})", owner, StringComparison.Ordinal);
        Assert.Contains($">{liverMl.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}</td>", owner, StringComparison.Ordinal);
        Assert.Contains("Soft tissue", owner, StringComparison.Ordinal);
        Assert.Contains("segweb-viewer-views", owner, StringComparison.Ordinal);
        Assert.DoesNotContain("role=\"alert\"", owner, StringComparison.Ordinal);

        string stranger = await RenderAsync(server, jobId, "owner-b");
        Assert.Contains($"job {jobId} not found", stranger, StringComparison.Ordinal);
        Assert.DoesNotContain(">liver</button>", stranger, StringComparison.Ordinal);
        Assert.DoesNotContain("segweb-viewer-views", stranger, StringComparison.Ordinal);
    }

    private static async Task<string> RenderAsync(SegWebServer server, Guid jobId, string userId)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        // The panel makes its own scope and takes the server's DbContext and job folders from it.
        services.AddScoped(_ => new ServerScope(server.Services.CreateScope()));
        services.AddScoped(sp => sp.GetRequiredService<ServerScope>().Scope.ServiceProvider.GetRequiredService<SegWebDbContext>());
        services.AddSingleton(server.Services.GetRequiredService<JobFolders>());
        services.AddSingleton<AuthenticationStateProvider>(new FixedUser(userId));
        services.AddSingleton<IJSRuntime, NoJavaScript>();
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, provider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<JobViewerPanel>(ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(JobViewerPanel.JobId)] = jobId }));
            return output.ToHtmlString();
        });
    }

    private sealed class ServerScope(IServiceScope scope) : IDisposable
    {
        public IServiceScope Scope { get; } = scope;

        public void Dispose() => Scope.Dispose();
    }

    private sealed class FixedUser(string id) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], "test"))));
    }

    // The static render never reaches JS; a call would mean the panel touched the browser too early.
    private sealed class NoJavaScript : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => throw new InvalidOperationException($"JS call {identifier} during a static render");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => throw new InvalidOperationException($"JS call {identifier} during a static render");
    }
}
