using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace SegWeb.Server.Tests.Ui.Browser;

/// <summary>
/// The UI end to end in headless Chromium against the real server and the demo model: sign in, upload, watch the
/// job, download a result and compare it with the API's; a DICOM folder upload; every page screenshotted, checked
/// with axe-core, and free of browser console errors.
/// </summary>
public sealed class EndToEndTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";
    private const string DicomFolder = "totalsegmentator/example_ct_dicom";

    [SkippableFact]
    public async Task Sign_in_upload_a_CT_with_the_keyboard_watch_the_job_and_download_statistics_equal_to_the_API()
    {
        string ctPath = TestData.Require(Ct);
        fixture.Require();
        output.WriteLine($"screenshots: {fixture.ScreenshotFolder}");
        Console.WriteLine($"UI screenshots: {fixture.ScreenshotFolder}");
        await using var ui = await UiSession.OpenAsync(fixture);

        await ui.Page.GotoAsync("/signin");
        await ui.CheckPageAsync("00-signin");
        await ui.SignInAsync(SegWebServer.AdminEmail, SegWebServer.AdminPassword);
        Assert.Contains("demo model", await ui.Page.InnerTextAsync("#segweb-model-note"), StringComparison.Ordinal);
        await ui.CheckPageAsync("01-home");

        // Keyboard only: focus the drop zone, Enter opens the file chooser; no other click until the result.
        var chooser = await ui.OpenFileChooserWithEnterAsync("#segweb-dropzone");
        await chooser.SetFilesAsync(ctPath);
        Guid jobId = await ui.WaitForJobPageAsync();
        await ui.Page.WaitForSelectorAsync("a[data-output='statistics.json']", new PageWaitForSelectorOptions { Timeout = 90_000 });
        Assert.Equal("succeeded", (await ui.Page.InnerTextAsync(".segweb-state")).Trim());
        Assert.Contains("predict", await ui.Page.InnerTextAsync(".segweb-timings"), StringComparison.Ordinal);
        await ui.CheckPageAsync("02-result");

        var download = await ui.Page.RunAndWaitForDownloadAsync(() => ui.Page.ClickAsync("a[data-output='statistics.json']"));
        Assert.Equal("statistics.json", download.SuggestedFilename);
        using var temp = new TempDirectory("ui-download");
        string saved = temp.File("statistics.json");
        await download.SaveAsAsync(saved);

        // The API's answer for the same job, fetched with the browser's own cookie.
        var job = await ui.Context.APIRequest.GetAsync($"/api/v1/jobs/{jobId}");
        Assert.Equal(200, job.Status);
        Assert.Equal("succeeded", (await job.JsonAsync())!.Value.GetProperty("state").GetString());
        var api = await ui.Context.APIRequest.GetAsync($"/api/v1/jobs/{jobId}/results/statistics.json");
        Assert.Equal(200, api.Status);
        byte[] fromApi = await api.BodyAsync();
        Assert.Equal(fromApi, await File.ReadAllBytesAsync(saved));
        using var stats = JsonDocument.Parse(fromApi);
        Assert.True(stats.RootElement.TryGetProperty("liver", out _), "statistics.json has no liver entry");

        await ui.Page.ClickAsync("a[href='/jobs']");
        await ui.Page.WaitForSelectorAsync($"tr[data-job-id='{jobId}'][data-job-state='succeeded']");
        await ui.CheckPageAsync("03-jobs");

        await ui.Page.ClickAsync("a[href='/account']");
        await ui.Page.WaitForSelectorAsync("#segweb-retention");
        await ui.Page.FillAsync("#segweb-key-name", "browser test");
        await ui.Page.ClickAsync("text=Create key");
        string key = (await ui.Page.InnerTextAsync(".segweb-key-secret")).Trim();
        Assert.StartsWith("sw_", key, StringComparison.Ordinal);
        using (var client = fixture.Server.Anonymous())
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/account/me")).StatusCode);
        }

        await ui.CheckPageAsync("04-account");

        await ui.Page.ClickAsync("a[href='/admin/models']");
        await ui.Page.WaitForSelectorAsync(".segweb-catalogue");
        await ui.CheckPageAsync("05-admin-models");
        await ui.Page.ClickAsync("a[href='/admin/users']");
        await ui.Page.WaitForSelectorAsync(".segweb-users");
        Assert.Contains(SegWebServer.AdminEmail, await ui.Page.InnerTextAsync(".segweb-users"), StringComparison.Ordinal);
        string newUser = $"made-in-ui-{Guid.NewGuid():N}@test.local";
        await ui.Page.FillAsync("#segweb-user-email", newUser);
        await ui.Page.FillAsync("#segweb-user-password", "Made-In-UI-Passw0rd");
        await ui.Page.ClickAsync("text=Create user");
        await ui.Page.WaitForSelectorAsync($".segweb-users >> text={newUser}");
        Assert.Contains("created", await ui.Page.InnerTextAsync("#segweb-user-message"), StringComparison.Ordinal);
        await ui.CheckPageAsync("06-admin-users");

        // Sign out (a form post with the antiforgery token from the interactive layout): back to the sign-in page,
        // and the pages are closed again.
        await ui.Page.ClickAsync("text=Sign out");
        await ui.Page.WaitForURLAsync(new Uri(ui.Base, "/signin").ToString());
        await ui.Page.GotoAsync("/jobs");
        Assert.Contains("/signin", ui.Page.Url, StringComparison.Ordinal);
        ui.AssertNoBrowserErrors();
    }

    [SkippableFact]
    public async Task A_DICOM_folder_picked_in_the_browser_becomes_one_input_and_a_job_that_succeeds()
    {
        string folder = TestData.Require(DicomFolder);
        fixture.Require();
        int files = Directory.GetFiles(folder).Length;
        string email = $"ui-{Guid.NewGuid():N}@test.local";
        var (client, _, _) = await fixture.Server.NewUserAsync(email);
        using (client)
        {
            await using var ui = await UiSession.OpenAsync(fixture);
            await ui.SignInAsync(email, "User-Passw0rd!");
            await ui.Page.SetInputFilesAsync("#segweb-folder-input", folder);
            Guid jobId = await ui.WaitForJobPageAsync();
            await ui.Page.WaitForSelectorAsync("a[data-output='statistics.json']", new PageWaitForSelectorOptions { Timeout = 90_000 });
            await ui.CheckPageAsync("07-dicom-result");

            // Through the API, as the same user: one input holding every file of the folder.
            var job = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobId}");
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            var input = await client.GetFromJsonAsync<JsonElement>($"/api/v1/inputs/{job.GetProperty("inputId").GetGuid()}");
            Assert.Equal("ready", input.GetProperty("state").GetString());
            Assert.Equal(files, input.GetProperty("files").GetInt32());
            Assert.Equal("example_ct_dicom", input.GetProperty("name").GetString());
            ui.AssertNoBrowserErrors();
        }
    }

    [SkippableFact]
    public async Task An_upload_cut_off_by_the_network_resumes_the_same_tus_upload_after_a_page_reload()
    {
        string ctPath = TestData.Require(Ct);
        fixture.Require();
        string email = $"ui-{Guid.NewGuid():N}@test.local";
        var (client, _, _) = await fixture.Server.NewUserAsync(email);
        client.Dispose();
        await using var ui = await UiSession.OpenAsync(fixture);
        await ui.SignInAsync(email, "User-Passw0rd!");

        int creations = 0;
        int heads = 0;
        ui.Page.Request += (_, r) =>
        {
            if (r.Url.EndsWith("/api/v1/uploads", StringComparison.Ordinal) && r.Method == "POST")
            {
                Interlocked.Increment(ref creations);
            }

            if (r.Url.Contains("/api/v1/uploads/", StringComparison.Ordinal) && r.Method == "HEAD")
            {
                Interlocked.Increment(ref heads);
            }
        };

        // The network fails for every PATCH: the upload is created (POST) but no byte arrives; tus keeps retrying.
        await ui.Page.RouteAsync("**/api/v1/uploads/*", route =>
            route.Request.Method == "PATCH" ? route.AbortAsync("internetdisconnected") : route.ContinueAsync());
        await ui.Page.SetInputFilesAsync("#segweb-file-input", ctPath);
        await ui.Page.WaitForFunctionAsync("() => Object.keys(localStorage).some(k => k.startsWith('tus::'))");
        Assert.Equal(1, creations);

        // The user reloads the page and drops the same file again, with the network back. (Reload first: a retry of
        // the old page could otherwise finish the upload between the network's return and the reload.)
        await ui.Page.ReloadAsync();
        await ui.WaitForCircuitAsync();
        await ui.Page.UnrouteAllAsync();
        await ui.Page.SetInputFilesAsync("#segweb-file-input", ctPath);
        await ui.WaitForJobPageAsync();
        await ui.Page.WaitForSelectorAsync("a[data-output='statistics.json']", new PageWaitForSelectorOptions { Timeout = 90_000 });

        // Resumed, not restarted: still one tus upload, found again through the stored URL and asked for its offset.
        Assert.Equal(1, creations);
        Assert.True(heads >= 1, "no HEAD: the upload was not resumed from the stored URL");
        Assert.False(await ui.Page.EvaluateAsync<bool>("() => Object.keys(localStorage).some(k => k.startsWith('tus::'))"),
            "the finished upload's resume entry was not removed");
        ui.AssertNoBrowserErrors("ERR_INTERNET_DISCONNECTED");
    }

    [SkippableFact]
    public async Task A_file_dropped_on_the_drop_zone_is_uploaded_and_segmented_without_another_click()
    {
        string ctPath = TestData.Require(Ct);
        fixture.Require();
        string email = $"ui-{Guid.NewGuid():N}@test.local";
        var (client, _, _) = await fixture.Server.NewUserAsync(email);
        using (client)
        {
            await using var ui = await UiSession.OpenAsync(fixture);
            await ui.SignInAsync(email, "User-Passw0rd!");

            // A page cannot be handed an OS drag, so the test builds the same DragEvent a drop of this file makes
            // (a DataTransfer holding a File with the scan's bytes) and dispatches it on the drop zone.
            string base64 = Convert.ToBase64String(await File.ReadAllBytesAsync(ctPath));
            await ui.Page.EvaluateAsync(
                """
                ([name, b64]) => {
                  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                  const dt = new DataTransfer();
                  dt.items.add(new File([bytes], name));
                  const zone = document.getElementById('segweb-dropzone');
                  zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
                  zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
                }
                """,
                new[] { Path.GetFileName(ctPath), base64 });
            Guid jobId = await ui.WaitForJobPageAsync();
            await ui.Page.WaitForSelectorAsync("a[data-output='statistics.json']", new PageWaitForSelectorOptions { Timeout = 90_000 });

            var job = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobId}");
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            var input = await client.GetFromJsonAsync<JsonElement>($"/api/v1/inputs/{job.GetProperty("inputId").GetGuid()}");
            Assert.Equal("example_ct_sm.nii.gz", input.GetProperty("name").GetString());
            Assert.Equal(new FileInfo(ctPath).Length, input.GetProperty("bytes").GetInt64());
            ui.AssertNoBrowserErrors();
        }
    }
}
