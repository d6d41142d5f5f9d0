using SegWeb.Models.Download;

namespace SegWeb.Models.Tests.Download;

/// <summary>The downloader against a real HTTP server on loopback: clean, dropped, corrupt, no Range, offline.</summary>
public sealed class ModelDownloaderTests : IDisposable
{
    private static readonly DownloadOptions FastRetries = new()
    {
        MaxAttempts = 4,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        ReadIdleTimeout = TimeSpan.FromSeconds(10),
        ProgressInterval = TimeSpan.Zero,
    };

    private readonly LoopbackHttpServer server = new();
    private readonly TempDirectory dir = new("download");
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly TestModelZip zip = new();

    public ModelDownloaderTests() => server.Files["/model.zip"] = zip.Bytes;

    public void Dispose()
    {
        http.Dispose();
        server.Dispose();
        dir.Dispose();
    }

    [Fact]
    public async Task Clean_download_is_verified_and_renamed_into_place()
    {
        var reports = new List<DownloadProgress>();
        var result = await Downloader().DownloadAsync(Request(), new ListProgress(reports));

        Assert.Equal(zip.Bytes, await File.ReadAllBytesAsync(Target));
        Assert.False(File.Exists(Target + ".partial"));
        Assert.Equal(zip.Sha256, result.Sha256);
        Assert.Equal(zip.Bytes.Length, result.Size);
        Assert.Equal(2, result.VerifiedEntries.Count);
        Assert.Contains(result.VerifiedEntries, e => e.Path.EndsWith("fold_0/checkpoint_final.pth", StringComparison.Ordinal) && e.Sha256 == zip.CheckpointSha256);
        Assert.Equal(1, result.Requests);
        Assert.False(result.Resumed);
        Assert.Equal(zip.Bytes.Length, reports[^1].BytesReceived);
        Assert.Equal(zip.Bytes.Length, reports[^1].TotalBytes);
    }

    [Fact]
    public async Task Dropped_connection_is_resumed_with_a_range_request()
    {
        server.DropAfterBytes = 100_000;
        server.DropCount = 1;

        var result = await Downloader().DownloadAsync(Request());

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Null(requests[0].Range);
        Assert.Equal("bytes=100000-", requests[1].Range);
        Assert.True(result.Resumed);
        Assert.Equal(zip.Bytes, await File.ReadAllBytesAsync(Target));
        Assert.Equal(zip.Sha256, result.Sha256);
    }

    [Fact]
    public async Task Reset_connection_is_resumed_from_what_actually_arrived()
    {
        server.ResetOnDrop = true;
        server.DropAfterBytes = 200_000;
        server.DropCount = 1;

        var result = await Downloader().DownloadAsync(Request());

        var resume = server.Requests.ToArray()[1].Range!;
        long offset = long.Parse(resume["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(offset, 0, 200_000);
        Assert.Equal(zip.Bytes, await File.ReadAllBytesAsync(Target));
        Assert.Equal(zip.Sha256, result.Sha256);
    }

    [Fact]
    public async Task Stalled_body_times_out_and_resumes()
    {
        server.StallOnDrop = true;
        server.DropAfterBytes = 100_000;
        server.DropCount = 1;
        var options = FastRetries with { ReadIdleTimeout = TimeSpan.FromMilliseconds(300) };

        var result = await new ModelDownloader(http, options).DownloadAsync(Request());

        Assert.Equal("bytes=100000-", server.Requests.ToArray()[1].Range);
        Assert.Equal(zip.Bytes, await File.ReadAllBytesAsync(Target));
        Assert.True(result.Resumed);
    }

    [Fact]
    public async Task Server_that_never_answers_gives_up_after_bounded_attempts()
    {
        server.NeverAnswer = true;
        var options = FastRetries with { ReadIdleTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 };

        await Assert.ThrowsAsync<DownloadException>(() => new ModelDownloader(http, options).DownloadAsync(Request()));

        Assert.Equal(2, server.Requests.Count);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public async Task Body_that_stalls_every_time_gives_up_after_bounded_attempts()
    {
        server.StallOnDrop = true;
        server.DropAfterBytes = 0;
        server.DropCount = 100;
        var options = FastRetries with { ReadIdleTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 };

        var ex = await Assert.ThrowsAsync<DownloadException>(() => new ModelDownloader(http, options).DownloadAsync(Request()));

        Assert.Contains("download failed after 2 requests", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public async Task Several_drops_in_a_row_still_finish_when_each_adds_bytes()
    {
        server.DropAfterBytes = 60_000;
        server.DropCount = 5; // more than MaxAttempts: progress resets the failure count

        var result = await Downloader().DownloadAsync(Request());

        Assert.Equal(zip.Bytes, await File.ReadAllBytesAsync(Target));
        Assert.Equal(6, result.Requests);
        Assert.Equal("bytes=300000-", server.Requests.ToArray()[5].Range);
    }

    [Fact]
    public async Task Server_that_ignores_range_restarts_from_the_beginning()
    {
        server.IgnoreRange = true;
        server.DropAfterBytes = 150_000;
        server.DropCount = 1;

        var result = await Downloader().DownloadAsync(Request());

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("bytes=150000-", requests[1].Range); // asked to resume, got 200 and the whole file
        Assert.False(result.Resumed);
        Assert.Equal(zip.Bytes, await File.ReadAllBytesAsync(Target));
    }

    [Fact]
    public async Task Complete_partial_answered_with_416_is_verified_without_a_body()
    {
        await File.WriteAllBytesAsync(Target + ".partial", zip.Bytes);

        var result = await Downloader().DownloadAsync(Request());

        Assert.Equal("bytes=" + zip.Bytes.Length + "-", Assert.Single(server.Requests).Range);
        Assert.Equal(zip.Sha256, result.Sha256);
        Assert.True(File.Exists(Target));
        Assert.False(File.Exists(Target + ".partial"));
    }

    [Fact]
    public async Task Wrong_file_content_is_a_typed_error_with_expected_and_actual_and_nothing_is_left()
    {
        // A valid zip whose checkpoint is not the published one (what a corrupt or tampered release looks like).
        var other = new TestModelZip(seed: 2);
        server.Files["/model.zip"] = other.Bytes;

        var ex = await Assert.ThrowsAsync<ModelVerificationException>(() => Downloader().DownloadAsync(Request()));

        Assert.Equal(zip.CheckpointSha256, ex.Expected);
        Assert.Equal(other.CheckpointSha256, ex.Actual);
        Assert.StartsWith(Target + ": SHA-256 of Dataset997_Test/", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"is {other.CheckpointSha256}, expected {zip.CheckpointSha256}", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public async Task Flipped_bytes_in_transit_are_a_typed_error_and_nothing_is_left()
    {
        var corrupt = (byte[])zip.Bytes.Clone();
        corrupt[corrupt.Length / 2] ^= 0xFF; // inside the stored checkpoint data
        server.Files["/model.zip"] = corrupt;

        var ex = await Assert.ThrowsAsync<ModelVerificationException>(() => Downloader().DownloadAsync(Request()));

        Assert.StartsWith(Target + ": ", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public async Task Zip_hash_and_size_are_checked_when_known()
    {
        var badHash = Request() with { ExpectedSha256 = new string('0', 64) };
        var ex = await Assert.ThrowsAsync<ModelVerificationException>(() => Downloader().DownloadAsync(badHash));
        Assert.Contains($"SHA-256 is {zip.Sha256}, expected {new string('0', 64)}", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();

        var badSize = Request() with { ExpectedSize = zip.Bytes.Length + 1 };
        var sizeError = await Assert.ThrowsAsync<ModelVerificationException>(() => Downloader().DownloadAsync(badSize));
        Assert.Contains($"size is {zip.Bytes.Length} bytes, expected {zip.Bytes.Length + 1}", sizeError.Message, StringComparison.Ordinal);
        AssertNothingLeft();

        var good = Request() with { ExpectedSha256 = zip.Sha256.ToUpperInvariant(), ExpectedSize = zip.Bytes.Length };
        Assert.True((await Downloader().DownloadAsync(good)).Sha256Verified);
    }

    [Fact]
    public async Task Not_a_zip_is_a_typed_error()
    {
        server.Files["/model.zip"] = "<html>rate limited</html>"u8.ToArray();
        var ex = await Assert.ThrowsAsync<ModelVerificationException>(() => Downloader().DownloadAsync(Request() with { EntryHashes = [] }));
        Assert.Contains("not a readable zip", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public async Task Refused_connection_is_the_one_line_offline_message_without_retries()
    {
        int port = LoopbackHttpServer.ClosedPort();
        var url = new Uri($"http://127.0.0.1:{port}/Dataset297.zip");

        var ex = await Assert.ThrowsAsync<OfflineException>(() => Downloader().DownloadAsync(Request() with { Url = url }));

        Assert.Equal($"offline: cannot reach 127.0.0.1; download {url} elsewhere and run `segweb models import <zip>`", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        AssertNothingLeft();
    }

    [Fact]
    public async Task Http_error_is_a_download_error_naming_the_url()
    {
        var url = server.UrlOf("/missing.zip");
        var ex = await Assert.ThrowsAsync<DownloadException>(() => Downloader().DownloadAsync(Request() with { Url = url }));
        Assert.Equal($"{url}: HTTP 404 Not Found", ex.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Connection_that_never_delivers_gives_up_after_bounded_attempts()
    {
        server.DropAfterBytes = 0;
        server.DropCount = 100;

        var ex = await Assert.ThrowsAsync<DownloadException>(() => Downloader().DownloadAsync(Request()));

        Assert.Contains("download failed after 4 requests", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, server.Requests.Count);
        Assert.False(File.Exists(Target));
    }

    private string Target => dir.File("Dataset997_Test.zip");

    private ModelDownloader Downloader() => new(http, FastRetries);

    private DownloadRequest Request() => new()
    {
        Url = server.UrlOf("/model.zip"),
        TargetPath = Target,
        EntryHashes = zip.KnownFiles,
    };

    private void AssertNothingLeft()
    {
        Assert.False(File.Exists(Target), "the target must not exist after a failed download");
        Assert.False(File.Exists(Target + ".partial"), "a bad partial must be deleted");
    }

    private sealed class ListProgress(List<DownloadProgress> list) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => list.Add(value);
    }
}
