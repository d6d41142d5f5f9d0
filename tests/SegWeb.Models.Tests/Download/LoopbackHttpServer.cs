using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SegWeb.Models.Tests.Download;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 (random port) inside the test process, with switchable faults:
/// drop the connection part-way through the body, ignore Range requests. One request per connection.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;
    private int dropsLeft;

    public LoopbackHttpServer()
    {
        listener.Start();
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Files served, by URL path (<c>/name.zip</c>).</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request seen: path and Range header (null when absent).</summary>
    public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

    /// <summary>Answer every request with the whole file (200), as servers without Range support do.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Bytes of body sent before the connection is cut, for the next <see cref="DropCount"/> responses.</summary>
    public long DropAfterBytes { get; set; }

    /// <summary>How many of the coming responses are cut after <see cref="DropAfterBytes"/>.</summary>
    public int DropCount
    {
        get => Volatile.Read(ref dropsLeft);
        set => Volatile.Write(ref dropsLeft, value);
    }

    /// <summary>Read the request and never answer it (no status line), until disposed.</summary>
    public bool NeverAnswer { get; set; }

    /// <summary>Instead of cutting the connection, go silent (keep it open, send nothing more) until disposed.</summary>
    public bool StallOnDrop { get; set; }

    /// <summary>Cut with a TCP reset instead of a clean close (bytes in flight may be lost, as on a real network drop).</summary>
    public bool ResetOnDrop { get; set; }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public Uri UrlOf(string path) => new($"http://127.0.0.1:{Port}{path}");

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>A loopback port with nothing listening (connections to it are refused).</summary>
    public static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by the listener being stopped under it.
        }

        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var (path, range) = await ReadRequestAsync(stream);
                Requests.Enqueue((path, range));
                if (NeverAnswer)
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                }

                if (!Files.TryGetValue(path, out var content))
                {
                    await WriteHeadAsync(stream, "404 Not Found", [("Content-Length", "0")]);
                    return;
                }

                long start = 0;
                if (range is not null && !IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                {
                    start = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
                    if (start >= content.Length)
                    {
                        await WriteHeadAsync(stream, "416 Range Not Satisfiable", [("Content-Range", $"bytes */{content.Length}"), ("Content-Length", "0")]);
                        return;
                    }

                    await WriteHeadAsync(stream, "206 Partial Content",
                        [("Content-Range", $"bytes {start}-{content.Length - 1}/{content.Length}"), ("Content-Length", (content.Length - start).ToString(CultureInfo.InvariantCulture))]);
                }
                else
                {
                    await WriteHeadAsync(stream, "200 OK", [("Content-Length", content.Length.ToString(CultureInfo.InvariantCulture))]);
                }

                long end = content.Length;
                bool drop = Interlocked.Decrement(ref dropsLeft) >= 0;
                if (drop)
                {
                    end = Math.Min(end, start + DropAfterBytes);
                }

                await stream.WriteAsync(content.AsMemory((int)start, (int)(end - start)));
                await stream.FlushAsync();
                if (drop && StallOnDrop)
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                else if (drop)
                {
                    // Close before the announced Content-Length: the client sees the body end early. A graceful
                    // close (not a reset) so every byte sent arrives and the resume offset is exact.
                    if (ResetOnDrop)
                    {
                        client.Client.LingerState = new LingerOption(true, 0);
                    }
                    else
                    {
                        client.Client.Shutdown(SocketShutdown.Send);
                    }
                }
            }
            catch (IOException)
            {
                // The client went away; nothing to serve.
            }
        }
    }

    private static async Task<(string Path, string? Range)> ReadRequestAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 16384)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }

            bytes.Add(one[0]);
            int n = bytes.Count;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString(bytes.ToArray()).Split("\r\n");
        var path = lines[0].Split(' ') is { Length: >= 2 } parts ? parts[1] : "/";
        string? range = lines.Skip(1)
            .Where(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
            .Select(l => l["Range:".Length..].Trim())
            .FirstOrDefault();
        return (path, range);
    }

    private static async Task WriteHeadAsync(NetworkStream stream, string status, (string Name, string Value)[] headers)
    {
        var text = new StringBuilder().Append("HTTP/1.1 ").Append(status).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        text.Append("Connection: close\r\nContent-Type: application/zip\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
    }
}
