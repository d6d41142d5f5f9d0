using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using SegWeb.Server.Components.Services;
using SegWeb.Server.Segmentation;

namespace SegWeb.Server.Tests.Ui.Components;

/// <summary>bUnit with MudBlazor's services, loose JS interop (MudBlazor calls its own JS), and scripted job services.</summary>
public abstract class ComponentTestContext : BunitContext, IAsyncLifetime
{
    protected ComponentTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IJobSource>(Jobs);
        Services.AddSingleton<IJobActions>(Actions);
        Services.AddSingleton<TimeProvider>(Clock);
        // No configured model: the task list is the embedded TotalSegmentator catalogue and the default task "total".
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new SegmentationOptions()));
        Services.AddSingleton<TaskChoices>();
        Actions.Source = Jobs;
    }

    internal ScriptedJobSource Jobs { get; } = new();

    internal RecordingJobActions Actions { get; } = new();

    internal ManualClock Clock { get; } = new();

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are IAsyncDisposable only: the container must be disposed asynchronously.
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    /// <summary>Waits (up to 5 s) for a condition no render reports, such as the number of polls.</summary>
    internal static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}
