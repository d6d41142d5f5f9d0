using Microsoft.ML.OnnxRuntime;

namespace SegWeb.Inference.Runtime;

/// <summary>
/// An <see cref="InferenceSession"/> that runners share, whose disposal is safe while forward passes run on other
/// threads. ONNX Runtime frees a session's native memory at once when it is disposed, and a Run still inside it then
/// crashes the whole process: a server stopping while a job ran died with a segfault in libonnxruntime.so (seen in CI,
/// the pipeline disposed by the DI container under a running job). Here <see cref="Dispose"/> sets
/// <see cref="RunOptions.Terminate"/> on the passes in flight, which makes ONNX Runtime return between operators, waits
/// for them to leave, and only then frees the session; a pass that starts afterwards gets an
/// <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>Contract: every Run goes through <see cref="Run"/>; <see cref="Dispose"/> must not be called from inside it.</remarks>
public sealed class GuardedSession : IDisposable
{
    private readonly object _gate = new();
    private readonly HashSet<RunOptions> _running = [];
    private readonly string _path;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="session"/> (loaded from <paramref name="path"/>, named in errors).</summary>
    public GuardedSession(InferenceSession session, string path)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(path);
        Session = session;
        _path = path;
    }

    /// <summary>The session, for metadata. Running it directly bypasses the guard.</summary>
    public InferenceSession Session { get; }

    /// <summary>True once <see cref="Dispose"/> has begun: a failing pass was terminated by it, not by its input.</summary>
    public bool IsDisposed
    {
        get
        {
            lock (_gate)
            {
                return _disposed;
            }
        }
    }

    /// <summary>Runs <paramref name="run"/> on the session, registered under <paramref name="options"/> so that disposal can stop it.</summary>
    /// <exception cref="ObjectDisposedException">The session has been disposed.</exception>
    public void Run(RunOptions options, Action<InferenceSession> run)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(_path, $"{_path}: the model's ONNX Runtime session was released (its pipeline was disposed)");
            }

            _running.Add(options);
        }

        try
        {
            run(Session);
        }
        finally
        {
            lock (_gate)
            {
                _running.Remove(options);
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Stops the passes in flight, waits for them to return, then frees the session.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var options in _running)
            {
                options.Terminate = true;
            }

            while (_running.Count > 0)
            {
                Monitor.Wait(_gate);
            }
        }

        Session.Dispose();
    }
}
