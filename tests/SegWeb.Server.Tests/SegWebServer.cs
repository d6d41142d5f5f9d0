using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace SegWeb.Server.Tests;

/// <summary>
/// The real server on Kestrel (loopback, a free port) with its own data folder and a configured administrator.
/// Tests talk to it over real HTTP.
/// </summary>
public sealed class SegWebServer : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "Admin-Passw0rd!";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;
    private readonly Action<IServiceCollection>? _services;

    public SegWebServer()
        : this(null, null)
    {
    }

    internal SegWebServer(string? dataFolder, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), $"segweb-server-{Guid.NewGuid():N}");
        _settings = new(StringComparer.Ordinal)
        {
            ["SegWeb:DataFolder"] = DataFolder,
            ["SegWeb:Admin:Email"] = AdminEmail,
            ["SegWeb:Admin:Password"] = AdminPassword,
            ["SegWeb:MaxUploadBytes"] = (64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }

        UseKestrel(0);
    }

    public string DataFolder { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    /// <summary>The address Kestrel listens on (starting the server on first use).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            string address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var uri = new UriBuilder(address);
            if (uri.Host is "[::]" or "0.0.0.0" or "+" or "*" or "::")
            {
                uri.Host = "127.0.0.1";
            }

            return uri.Uri;
        }
    }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous() => Client(cookies: false);

    /// <summary>A client over real HTTP to the server.</summary>
    public HttpClient Client(bool cookies) =>
        CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = cookies, AllowAutoRedirect = false, BaseAddress = Address });

    /// <summary>A client logged in as the administrator with the Identity cookie.</summary>
    public async Task<HttpClient> AdminCookieClientAsync()
    {
        var client = Client(cookies: true);
        var login = await client.PostAsJsonAsync("/api/v1/account/login", new { email = AdminEmail, password = AdminPassword });
        Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
        return client;
    }

    /// <summary>Creates a user (as admin), logs in as them and returns a client carrying a fresh API key.</summary>
    public async Task<(HttpClient Client, string Key, Guid KeyId)> NewUserAsync(string? email = null)
    {
        email ??= $"user-{Guid.NewGuid():N}@test.local";
        const string password = "User-Passw0rd!";
        using var admin = await AdminCookieClientAsync();
        var created = await admin.PostAsJsonAsync("/api/v1/admin/users", new { email, password, role = "user" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var login = Client(cookies: true);
        Assert.Equal(HttpStatusCode.NoContent, (await login.PostAsJsonAsync("/api/v1/account/login", new { email, password })).StatusCode);
        var keyResponse = await login.PostAsJsonAsync("/api/v1/account/keys", new { name = "tests" });
        Assert.Equal(HttpStatusCode.Created, keyResponse.StatusCode);
        var key = await keyResponse.Content.ReadFromJsonAsync<KeyDto>();
        Assert.NotNull(key);
        Assert.StartsWith("sw_", key.Key, StringComparison.Ordinal);

        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        return (client, key.Key, key.Id);
    }

    /// <summary>Every file under the data folder except the database's own.</summary>
    public IReadOnlyList<string> StoredFiles() =>
        Directory.EnumerateFiles(DataFolder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("segweb.db", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(DataFolder, f)).ToList();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsFolder)
        {
            try
            {
                Directory.Delete(DataFolder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private sealed record KeyDto(Guid Id, string Name, string Key);
}
