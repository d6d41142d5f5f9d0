using Microsoft.Extensions.Options;

namespace SegWeb.Server.Tests;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("SegWeb:MaxUploadBytes", "0")]
    [InlineData("SegWeb:RetentionDays", "-3")]
    [InlineData("SegWeb:Admin:Email", "nobody")]
    [InlineData("SegWeb:DataFolder", " ")]
    public async Task A_bad_setting_stops_the_server_at_start_naming_the_key(string key, string value)
    {
        using var data = new TempDirectory("server-options");

        // The real start path (Program's builder), on a free loopback port; the bad value comes last and wins.
        await using var app = ServerApplication.Build([
            "--urls", "http://127.0.0.1:0",
            $"--SegWeb:DataFolder={data.Path}",
            $"--{key}={value}"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "segweb.db")), "no database is created when the settings are bad");
    }

    [Fact]
    public async Task Good_settings_start_the_server()
    {
        using var data = new TempDirectory("server-options");
        await using var app = ServerApplication.Build(["--urls", "http://127.0.0.1:0", $"--SegWeb:DataFolder={data.Path}", "--SegWeb:Admin:Password=Good-Passw0rd!"]);
        await app.StartAsync();
        Assert.True(File.Exists(Path.Combine(data.Path, "segweb.db")));
        await app.StopAsync();
    }
}
