using System.Net;

namespace SegWeb.Server.Tests.JobExecution;

public sealed class HangfireDashboardTests
{
    [Fact]
    public async Task The_dashboard_is_for_administrators_only()
    {
        using var server = JobExecutionServer.Start(new ScriptedRunner());
        using var admin = await server.AdminCookieClientAsync();
        using var page = await admin.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Hangfire", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (user, _, _) = await server.NewUserAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/hangfire/jobs/enqueued")).StatusCode);
        using var anonymous = server.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/hangfire")).StatusCode);
    }
}
