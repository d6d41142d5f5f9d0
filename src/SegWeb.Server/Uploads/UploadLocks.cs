using System.Collections.Concurrent;

namespace SegWeb.Server.Uploads;

/// <summary>One writer per tus upload: a second PATCH while one runs would interleave bytes.</summary>
public sealed class UploadLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>Takes the upload's lock, waiting at most <paramref name="wait"/>; null when it is held.</summary>
    public async Task<IDisposable?> TryTakeAsync(Guid uploadId, TimeSpan wait)
    {
        var semaphore = _locks.GetOrAdd(uploadId, _ => new SemaphoreSlim(1, 1));
        return await semaphore.WaitAsync(wait) ? new Releaser(semaphore) : null;
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
