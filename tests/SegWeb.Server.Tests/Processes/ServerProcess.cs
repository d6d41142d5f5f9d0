using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace SegWeb.Server.Tests.Processes;

/// <summary>
/// The built server as a real operating-system process (<c>dotnet SegWeb.Server.dll</c>, the build of the configuration
/// the tests themselves run as), on a free loopback port, with its own data folder, a configured administrator and any
/// further settings (environment variables, as an operator would set them). It can be killed with SIGKILL
/// (<see cref="Kill"/>) and started again on the same data folder and port (<see cref="StartAsync()"/>), which is what
/// the crash tests need and an in-process WebApplicationFactory cannot do.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    public const string AdminEmail = "admin@process.local";
    public const string AdminPassword = "Admin-Passw0rd!";

    /// <summary>The most log text kept for failure messages (the end of it).</summary>
    private const int LogKeepChars = 200_000;

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;
    private readonly StringBuilder _log = new();
    private Process? _process;

    /// <summary>Prepares (does not start) a server; <paramref name="dataFolder"/> null makes a temp folder deleted on dispose.</summary>
    public ServerProcess(string? dataFolder = null, IDictionary<string, string?>? settings = null)
    {
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), $"segweb-process-{Guid.NewGuid():N}");
        Port = FreePort();
        _settings = new(StringComparer.Ordinal)
        {
            ["SegWeb:DataFolder"] = DataFolder,
            ["SegWeb:Admin:Email"] = AdminEmail,
            ["SegWeb:Admin:Password"] = AdminPassword,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    public string DataFolder { get; }

    /// <summary>The loopback port, kept across restarts so clients made before a kill still point at the server.</summary>
    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>The running process's id (0 when not running).</summary>
    public int Pid => _process is { HasExited: false } p ? p.Id : 0;

    /// <summary>How many times the process was started.</summary>
    public int Starts { get; private set; }

    /// <summary>The built server assembly (see <see cref="BuiltAssemblies"/>).</summary>
    public static string ServerDll => BuiltAssemblies.Find(Path.Combine("src", "SegWeb.Server"), "SegWeb.Server.dll");

    /// <summary>Everything the server printed so far (all its lives), for assertions on log lines and failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the process (again, after a <see cref="Kill"/>) and waits until /health/ready answers 200.</summary>
    public Task StartAsync() => StartAsync(TimeSpan.FromSeconds(60));

    public async Task StartAsync(TimeSpan readyWithin)
    {
        if (Pid != 0)
        {
            throw new InvalidOperationException("the server process is already running");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            // The content root is the working folder: appsettings.json sits beside the dll.
            WorkingDirectory = Path.GetDirectoryName(ServerDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerDll);
        info.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
        info.Environment["Urls"] = Address.ToString().TrimEnd('/');
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in _settings)
        {
            info.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v ?? "";
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        Starts++;
        Append($"---- test: start #{Starts} ----");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + readyWithin;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server process exited with {process.ExitCode} before it was ready:\n{LogTail()}");
            }

            try
            {
                using var ready = await probe.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                Kill();
                throw new TimeoutException($"the server process was not ready within {readyWithin}:\n{LogTail()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL (the whole process tree): no shutdown code runs, as in a power cut of the process.</summary>
    public void Kill()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        Append($"---- test: killed (exit code {process.ExitCode}) ----");
        process.Dispose();
        _process = null;
    }

    /// <summary>The process's peak resident memory so far (VmHWM in /proc/&lt;pid&gt;/status), in bytes.</summary>
    public long PeakMemoryBytes() => ProcStatusKilobytes("VmHWM") * 1024;

    /// <summary>The process's resident memory now (VmRSS), in bytes.</summary>
    public long MemoryBytes() => ProcStatusKilobytes("VmRSS") * 1024;

    /// <summary>A client with no credentials (a fresh connection pool per client).</summary>
    public HttpClient Anonymous(CookieContainer? cookies = null) =>
        new(new SocketsHttpHandler { UseCookies = cookies is not null, CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromMinutes(3),
        };

    /// <summary>A client carrying an API key.</summary>
    public HttpClient Bearer(string key)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a user (as the administrator) and returns a client carrying a fresh API key of theirs, and the key.</summary>
    public async Task<(HttpClient Client, string Key)> NewUserAsync()
    {
        string email = $"user-{Guid.NewGuid():N}@process.local";
        const string password = "User-Passw0rd!";
        using (var admin = Anonymous(new CookieContainer()))
        {
            using var login = await admin.PostAsJsonAsync("/api/v1/account/login", new { email = AdminEmail, password = AdminPassword });
            Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
            using var created = await admin.PostAsJsonAsync("/api/v1/admin/users", new { email, password, role = "user" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var user = Anonymous(new CookieContainer());
        using (var login = await user.PostAsJsonAsync("/api/v1/account/login", new { email, password }))
        {
            Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
        }

        using var keyResponse = await user.PostAsJsonAsync("/api/v1/account/keys", new { name = "process-tests" });
        Assert.Equal(HttpStatusCode.Created, keyResponse.StatusCode);
        var key = (await keyResponse.Content.ReadFromJsonAsync<KeyDto>())!.Key;
        return (Bearer(key), key);
    }

    /// <summary>Files under tmp/, uploads/ and inputs/ of the data folder, relative to it.</summary>
    public IReadOnlyList<string> StoredFiles() =>
        new[] { "tmp", "uploads", "inputs" }.Select(f => Path.Combine(DataFolder, f)).Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(DataFolder, f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The last lines the server printed (for failure messages).</summary>
    public string LogTail(int chars = 6000)
    {
        string log = Log;
        return log.Length <= chars ? log : log[^chars..];
    }

    public void Dispose()
    {
        Kill();
        if (_ownsFolder)
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

    private long ProcStatusKilobytes(string field)
    {
        int pid = Pid;
        if (pid == 0)
        {
            throw new InvalidOperationException("the server process is not running");
        }

        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
            if (_log.Length > LogKeepChars * 2)
            {
                _log.Remove(0, _log.Length - LogKeepChars);
            }
        }
    }

    /// <summary>A port nothing listens on now (the kernel's pick for a throwaway listener).</summary>
    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed record KeyDto(Guid Id, string Name, string Key);
}
