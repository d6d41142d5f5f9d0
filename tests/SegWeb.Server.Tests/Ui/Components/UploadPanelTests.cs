using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Server.Components.Upload;

namespace SegWeb.Server.Tests.Ui.Components;

/// <summary>
/// The upload panel driven through the callbacks the browser module makes: progress rows with MB/s and time left,
/// the job created with the form's defaults and the page opened, refusals shown, cancel handed to the module.
/// </summary>
public sealed class UploadPanelTests : ComponentTestContext
{
    private IRenderedComponent<UploadPanel> RenderPanel()
    {
        JSInterop.SetupModule("./dist/upload.js");
        return Render<UploadPanel>(p => p.Add(c => c.OwnerId, "owner"));
    }

    [Fact]
    public async Task Progress_callbacks_render_a_bar_with_megabytes_speed_and_time_left()
    {
        var cut = RenderPanel();
        await cut.InvokeAsync(() => cut.Instance.UploadStarted("k1", "ct.nii.gz", 50_000_000, 1));
        Clock.Advance(TimeSpan.FromSeconds(2));
        await cut.InvokeAsync(() => cut.Instance.UploadProgress("k1", 10_000_000));

        var row = cut.Find("[data-upload-state='uploading']");
        Assert.Contains("ct.nii.gz", row.TextContent, StringComparison.Ordinal);
        string status = cut.Find(".segweb-upload-status").TextContent;
        Assert.Equal("10.0 of 50.0 MB · 5.0 MB/s · 8 s left", status);
        Assert.Contains(cut.FindAll("button"), b => b.TextContent.Contains("Cancel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ready_input_creates_the_job_with_the_default_options_and_opens_its_page()
    {
        var cut = RenderPanel();
        var inputId = Guid.NewGuid();
        await cut.InvokeAsync(() => cut.Instance.UploadStarted("k1", "ct.nii.gz", 1000, 1));
        await cut.InvokeAsync(() => cut.Instance.UploadUploaded("k1"));
        Assert.Contains("checking the study", cut.Find(".segweb-upload-status").TextContent, StringComparison.Ordinal);
        await cut.InvokeAsync(() => cut.Instance.UploadInputReady("k1", inputId.ToString()));

        var request = Assert.Single(Actions.Created);
        Assert.Equal(inputId, request.InputId);
        Assert.Equal("total", request.Task);
        Assert.False(request.Fast || request.Fastest);
        Assert.Null(request.RoiSubset);
        Assert.Empty(request.Outputs!); // every box ticked: the server's defaults
        Assert.EndsWith($"/jobs/{Actions.NextJobId}", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        Assert.Equal(UploadState.JobCreated, cut.Instance.Tracker.Find("k1")!.State);
    }

    [Fact]
    public async Task While_another_upload_is_running_the_page_stays_and_the_row_links_to_the_job()
    {
        var cut = RenderPanel();
        var navigation = Services.GetRequiredService<NavigationManager>();
        string before = navigation.Uri;
        await cut.InvokeAsync(() => cut.Instance.UploadStarted("k1", "a.nii.gz", 1000, 1));
        await cut.InvokeAsync(() => cut.Instance.UploadStarted("k2", "b.nii.gz", 1000, 1));
        await cut.InvokeAsync(() => cut.Instance.UploadInputReady("k1", Guid.NewGuid().ToString()));

        Assert.Equal(before, navigation.Uri);
        Assert.Equal($"/jobs/{Actions.NextJobId}", cut.Find("[data-upload-state='jobcreated'] a").GetAttribute("href"));
    }

    [Fact]
    public async Task A_refused_job_and_a_failed_upload_show_their_reasons()
    {
        var cut = RenderPanel();
        Actions.Refusal = "no segmentation pipeline configured";
        await cut.InvokeAsync(() => cut.Instance.UploadStarted("k1", "ct.nii.gz", 1000, 1));
        await cut.InvokeAsync(() => cut.Instance.UploadInputReady("k1", Guid.NewGuid().ToString()));
        await cut.InvokeAsync(() => cut.Instance.UploadFailed("k2", "photo.jpg", "photo.jpg: not a NIfTI file, a DICOM file or a zip of DICOM files (it starts like a JPEG image)"));

        var failed = cut.FindAll("[data-upload-state='failed']");
        Assert.Equal(2, failed.Count);
        Assert.Contains("no job was created: no segmentation pipeline configured", failed[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("JPEG image", failed[1].TextContent, StringComparison.Ordinal);
        Assert.Empty(Actions.Created);
    }

    [Fact]
    public async Task Cancel_tells_the_module_to_abort_that_upload_and_ignores_its_late_completion()
    {
        var module = JSInterop.SetupModule("./dist/upload.js");
        var cut = Render<UploadPanel>(p => p.Add(c => c.OwnerId, "owner"));
        await cut.InvokeAsync(() => cut.Instance.UploadStarted("k1", "dicom", 5000, 20));

        await cut.Find("[data-upload-state='uploading'] button").ClickAsync(new());
        Assert.Equal("k1", Assert.Single(module.Invocations["cancel"]).Arguments[0]);
        Assert.Equal("canceled", cut.Find(".segweb-upload-status").TextContent);

        await cut.InvokeAsync(() => cut.Instance.UploadInputReady("k1", Guid.NewGuid().ToString()));
        Assert.Empty(Actions.Created);
    }
}
