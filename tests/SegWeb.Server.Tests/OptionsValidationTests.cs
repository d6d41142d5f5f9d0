using Microsoft.Extensions.Options;

namespace SegWeb.Server.Tests;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("SegWeb:MaxUploadBytes", "0", "SegWeb:MaxUploadBytes")]
    [InlineData("SegWeb:RetentionDays", "-3", "SegWeb:RetentionDays")]
    [InlineData("SegWeb:Admin:Email", "nobody", "SegWeb:Admin:Email")]
    public void A_bad_setting_stops_the_server_at_start_naming_the_key(string key, string value, string named)
    {
        using var server = new SegWebServer(null, new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => server.CreateClient());
        var validation = Flatten(error).OfType<OptionsValidationException>().FirstOrDefault();
        Assert.True(validation is not null, error.ToString());
        Assert.Contains(named, validation.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        yield return e;
        if (e is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
            {
                yield return inner;
            }
        }
        else if (e.InnerException is not null)
        {
            foreach (var inner in Flatten(e.InnerException))
            {
                yield return inner;
            }
        }
    }
}
