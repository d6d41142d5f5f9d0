using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace SegWeb.Models.Download;

/// <summary>
/// Downloads a model zip over HTTP with resume and verification. Data streams into <c>{target}.partial</c>; a
/// dropped connection is retried (bounded, with exponential backoff) and continued with a Range request; the
/// finished file is checked (size, SHA-256, zip entries with published hashes) and only then renamed onto the
/// target, so the target is either absent or verified. A host that cannot be reached at all is an
/// <see cref="OfflineException"/> at once, without retries.
/// </summary>
public sealed class ModelDownloader
{
    private const int BufferSize = 1 << 17;

    private readonly HttpClient http;
    private readonly DownloadOptions options;

    /// <summary>Uses <paramref name="http"/> (whose own Timeout should be infinite: large downloads take long; idle reads are timed out here).</summary>
    public ModelDownloader(HttpClient http, DownloadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        this.options = options ?? new DownloadOptions();
    }

    /// <summary>Downloads and verifies; see the class remarks. Throws <see cref="DownloadException"/>, <see cref="OfflineException"/> or <see cref="ModelVerificationException"/>.</summary>
    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = Path.GetFullPath(request.TargetPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        var state = new TransferState(request.Url, partial, options, new ProgressReporter(progress, options.ProgressInterval));

        await TransferAsync(state, cancellationToken);
        state.Reporter.Report(Length(partial), state.Total, force: true);
        return await VerifyAndCommitAsync(request, target, partial, state, cancellationToken);
    }

    private async Task TransferAsync(TransferState state, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            long have = Length(state.Partial);
            if (state.Total is long known && have == known && have > 0)
            {
                return;
            }

            if (state.Total is long smaller && have > smaller)
            {
                // More bytes than the file has: the partial belongs to something else. Start over.
                File.Delete(state.Partial);
                have = 0;
            }

            state.Requests++;
            using var message = new HttpRequestMessage(HttpMethod.Get, state.Url);
            if (have > 0)
            {
                message.Headers.Range = new RangeHeaderValue(have, null);
            }

            HttpResponseMessage response;
            try
            {
                // A server that accepts but never answers must not hang us: headers get the idle timeout too.
                using var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                headerTimeout.CancelAfter(options.ReadIdleTimeout);
                response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, headerTimeout.Token);
            }
            catch (HttpRequestException ex) when (!state.Connected && IsUnreachable(ex))
            {
                throw new OfflineException(state.Url, ex);
            }
            catch (Exception ex) when (IsTransient(ex, ct))
            {
                await state.FailAsync(ex.Message, ct);
                continue;
            }

            state.Connected = true;
            using (response)
            {
                var mode = await StartBodyAsync(state, response, have, ct);
                if (mode is null)
                {
                    if (state.Total is long done && Length(state.Partial) == done)
                    {
                        return;
                    }

                    continue;
                }

                long before = mode == FileMode.Append ? have : 0;
                try
                {
                    await CopyBodyAsync(state, response, mode.Value, before, ct);
                }
                catch (Exception ex) when (IsTransient(ex, ct))
                {
                    state.MadeProgress(Length(state.Partial) > before);
                    await state.FailAsync($"connection lost after {Length(state.Partial)} bytes ({ex.Message})", ct);
                    continue;
                }
            }

            long after = Length(state.Partial);
            state.Total ??= after; // no announced length: a clean end of body is the end of the file
            if (after == state.Total)
            {
                return;
            }

            state.MadeProgress(after > have);
            await state.FailAsync($"connection closed after {after} of {state.Total} bytes", ct);
        }
    }

    // Decides how the response body is written: Append (206 continuing our range), Create (200: the whole file,
    // also when the server ignored Range), or null (nothing to write: 416 or a status worth retrying).
    private static async Task<FileMode?> StartBodyAsync(TransferState state, HttpResponseMessage response, long have, CancellationToken ct)
    {
        var code = response.StatusCode;
        var range = response.Content.Headers.ContentRange;
        switch (code)
        {
            case HttpStatusCode.PartialContent when have > 0 && range?.From == have:
                state.Total = range.Length;
                state.Resumed = true;
                return FileMode.Append;

            case HttpStatusCode.PartialContent:
                // A range we did not ask for: drop the partial and ask again for the whole file.
                File.Delete(state.Partial);
                state.Total = null;
                await state.FailAsync($"server answered with range {range} to a request from byte {have}", ct);
                return null;

            case HttpStatusCode.OK:
                state.Total = response.Content.Headers.ContentLength;
                return FileMode.Create;

            case HttpStatusCode.RequestedRangeNotSatisfiable:
                if (range?.Length is long length && length == have)
                {
                    state.Total = length; // the partial already holds the whole file
                    return null;
                }

                File.Delete(state.Partial);
                state.Total = null;
                await state.FailAsync($"server refused the range from byte {have} (file length {range?.Length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"})", ct);
                return null;

            case HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests:
            case >= HttpStatusCode.InternalServerError:
                await state.FailAsync($"HTTP {(int)code} {response.ReasonPhrase}", ct);
                return null;

            default:
                throw new DownloadException($"{state.Url}: HTTP {(int)code} {response.ReasonPhrase}");
        }
    }

    private async Task CopyBodyAsync(TransferState state, HttpResponseMessage response, FileMode mode, long offset, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            idle.CancelAfter(options.ReadIdleTimeout);
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
            await using var file = new FileStream(state.Partial, mode, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            long written = offset;
            while (true)
            {
                idle.CancelAfter(options.ReadIdleTimeout);
                int n = await body.ReadAsync(buffer.AsMemory(0, BufferSize), idle.Token);
                if (n == 0)
                {
                    break;
                }

                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                written += n;
                state.SessionBytes += n;
                state.Reporter.Report(written, state.Total);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<DownloadResult> VerifyAndCommitAsync(DownloadRequest request, string target, string partial, TransferState state, CancellationToken ct)
    {
        try
        {
            long size = Length(partial);
            if (request.ExpectedSize is long expectedSize && size != expectedSize)
            {
                throw new ModelVerificationException(target, $"size is {size} bytes, expected {expectedSize}",
                    expectedSize.ToString(System.Globalization.CultureInfo.InvariantCulture), size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            string sha;
            await using (var stream = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            }

            if (request.ExpectedSha256 is { } expectedSha && !string.Equals(sha, expectedSha, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelVerificationException(target, $"SHA-256 is {sha}, expected {expectedSha.ToLowerInvariant()}", expectedSha, sha);
            }

            var entries = ZipVerifier.Verify(partial, target, request.EntryHashes, ct);
            File.Move(partial, target, overwrite: true);
            return new DownloadResult
            {
                Path = target,
                Size = size,
                Sha256 = sha,
                Sha256Verified = request.ExpectedSha256 is not null,
                VerifiedEntries = entries,
                Requests = state.Requests,
                Resumed = state.Resumed,
            };
        }
        catch (ModelVerificationException)
        {
            // A bad file is never kept: resuming onto it would only repeat the failure.
            File.Delete(partial);
            throw;
        }
    }

    private static long Length(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }

    // Name not resolved or connection refused/unreachable before any response: the host is not there for us.
    private static bool IsUnreachable(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
        || ex.InnerException is SocketException;

    // Failures worth another request: network errors and our own idle timeout (not the caller's cancellation).
    private static bool IsTransient(Exception ex, CancellationToken ct) =>
        ex is HttpRequestException or IOException
        || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    private sealed class TransferState(Uri url, string partial, DownloadOptions options, ProgressReporter reporter)
    {
        private int failuresInARow;

        public Uri Url { get; } = url;

        public string Partial { get; } = partial;

        public ProgressReporter Reporter { get; } = reporter;

        public long? Total { get; set; }

        public int Requests { get; set; }

        public bool Connected { get; set; }

        public bool Resumed { get; set; }

        public long SessionBytes
        {
            get => Reporter.SessionBytes;
            set => Reporter.SessionBytes = value;
        }

        /// <summary>A request that added bytes resets the count of failures in a row.</summary>
        public void MadeProgress(bool progressed)
        {
            if (progressed)
            {
                failuresInARow = 0;
            }
        }

        public async Task FailAsync(string problem, CancellationToken ct)
        {
            failuresInARow++;
            if (failuresInARow >= options.MaxAttempts)
            {
                throw new DownloadException($"{Url}: download failed after {Requests} requests: {problem}");
            }

            double ms = Math.Min(options.MaxBackoff.TotalMilliseconds, options.InitialBackoff.TotalMilliseconds * Math.Pow(2, failuresInARow - 1));
            await Task.Delay(TimeSpan.FromMilliseconds(ms), ct);
        }
    }

    private sealed class ProgressReporter(IProgress<DownloadProgress>? sink, TimeSpan interval)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private TimeSpan? last;

        public long SessionBytes { get; set; }

        public void Report(long bytes, long? total, bool force = false)
        {
            if (sink is null)
            {
                return;
            }

            var now = clock.Elapsed;
            if (!force && last is { } previous && now - previous < interval)
            {
                return;
            }

            last = now;
            double rate = now.TotalSeconds > 0 ? SessionBytes / now.TotalSeconds : 0;
            sink.Report(new DownloadProgress(bytes, total, rate));
        }
    }
}
