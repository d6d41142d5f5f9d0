using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Tests;

/// <summary>A database from an older build (no migrations yet) stops the start with a message saying what to do.</summary>
public sealed class SchemaCheckTests
{
    [Theory]
    [InlineData("DROP TABLE AuditEvents")]
    [InlineData("ALTER TABLE Jobs DROP COLUMN ExpiresAt")]
    public async Task A_database_lacking_the_current_schema_stops_the_start_naming_the_database(string olderSchema)
    {
        using var data = new TempDirectory("server-schema");
        using (var first = new SegWebServer(data.Path))
        {
            _ = first.Address;
            using var scope = first.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<SegWebDbContext>().Database.ExecuteSqlRawAsync(olderSchema);
        }

        await using var app = ServerApplication.Build(["--urls", "http://127.0.0.1:0", $"--SegWeb:DataFolder={data.Path}"]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains(Path.Combine(data.Path, "segweb.db"), error.Message, StringComparison.Ordinal);
        Assert.Contains("move the data folder away", error.Message, StringComparison.Ordinal);
    }
}
