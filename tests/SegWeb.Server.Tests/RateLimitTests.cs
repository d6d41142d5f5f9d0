using System.Net;

namespace SegWeb.Server.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Upload_starts_past_the_per_user_limit_get_429_problem()
    {
        using var server = new SegWebServer(null, new Dictionary<string, string?> { ["SegWeb:UploadsPerMinute"] = "2" });
        var (alice, _, _) = await server.NewUserAsync();
        var (bob, _, _) = await server.NewUserAsync();
        for (int i = 0; i < 2; i++)
        {
            using var allowed = await alice.SendAsync(Tus.Create(100));
            Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        }

        using var limited = await alice.PutAsync("/api/v1/inputs/a.nii", new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        // The limit is per user: another user is not held back by Alice's uploads.
        using var other = await bob.SendAsync(Tus.Create(100));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }
}
