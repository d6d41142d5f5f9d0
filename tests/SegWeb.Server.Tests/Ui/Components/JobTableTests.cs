using Bunit;
using SegWeb.Server.Components.Jobs;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Tests.Ui.Components;

/// <summary>The job table follows the job store by polling: state, stage, progress and timings update live; delete and cancel act.</summary>
public sealed class JobTableTests : ComponentTestContext
{
    private IRenderedComponent<JobTable> RenderTable() =>
        Render<JobTable>(p => p.Add(c => c.OwnerId, "owner").Add(c => c.PollInterval, TimeSpan.FromMilliseconds(20)));

    [Fact]
    public void A_running_job_updates_in_place_until_it_succeeds()
    {
        var id = Guid.NewGuid();
        Jobs.Set(ScriptedJobSource.Job(id, JobState.Running, "predict", 0.3, new JobStageTiming("read", 0.5)));
        var cut = RenderTable();
        var row = cut.Find($"tr[data-job-id='{id}']");
        Assert.Equal("running", row.GetAttribute("data-job-state"));
        Assert.Equal("predict", cut.Find(".segweb-stage").TextContent);
        Assert.Equal("30%", cut.Find(".segweb-progress").TextContent.Replace(" ", "", StringComparison.Ordinal));
        Assert.Contains("Cancel", row.TextContent, StringComparison.Ordinal);

        Jobs.Set(ScriptedJobSource.Job(id, JobState.Succeeded, "done", 1.0, new JobStageTiming("read", 0.5), new JobStageTiming("predict", 6.8)));
        cut.WaitForAssertion(() => Assert.Equal("succeeded", cut.Find($"tr[data-job-id='{id}']").GetAttribute("data-job-state")), TimeSpan.FromSeconds(5));
        Assert.Equal("done", cut.Find(".segweb-stage").TextContent);
        Assert.Contains("predict 6.8 s", cut.Find($"tr[data-job-id='{id}']").TextContent, StringComparison.Ordinal);
        Assert.Contains("2026-01-09 03:04", cut.Find($"tr[data-job-id='{id}']").TextContent, StringComparison.Ordinal);
        Assert.Contains("Delete", cut.Find($"tr[data-job-id='{id}']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_created_elsewhere_appears_without_a_reload_and_polling_continues()
    {
        var cut = RenderTable();
        Assert.Contains("No jobs yet", cut.Markup, StringComparison.Ordinal);
        var id = Guid.NewGuid();
        Jobs.Set(ScriptedJobSource.Job(id, JobState.Queued, "queued", 0));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll($"tr[data-job-id='{id}']")), TimeSpan.FromSeconds(5));
        int reads = Jobs.Reads;
        await EventuallyAsync(() => Jobs.Reads > reads + 2, "three more polls");
    }

    [Fact]
    public async Task Cancel_on_a_running_job_deletes_it_and_the_row_goes()
    {
        var keep = Guid.NewGuid();
        var gone = Guid.NewGuid();
        Jobs.Set(ScriptedJobSource.Job(gone, JobState.Running, "predict", 0.5), ScriptedJobSource.Job(keep, JobState.Failed, "failed", 0.2));
        var cut = RenderTable();
        await cut.Find($"tr[data-job-id='{gone}'] button").ClickAsync(new());

        Assert.Equal([gone], Actions.Deleted);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll($"tr[data-job-id='{gone}']")), TimeSpan.FromSeconds(5));
        Assert.Single(cut.FindAll($"tr[data-job-id='{keep}']"));
    }

    [Fact]
    public async Task Polling_stops_when_the_table_is_disposed()
    {
        var cut = RenderTable();
        await EventuallyAsync(() => Jobs.Reads >= 3, "three polls");
        Assert.NotNull(cut.Instance);
        await DisposeComponentsAsync();
        int reads = Jobs.Reads;
        await Task.Delay(200);
        Assert.InRange(Jobs.Reads, reads, reads + 1);
    }
}
