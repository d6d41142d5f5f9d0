using Microsoft.ML.OnnxRuntime;

namespace SegWeb.Inference.Runtime;

/// <summary>
/// One network (fold) as an <see cref="ITileNetwork"/> over a cached <see cref="InferenceSession"/>. Inputs and
/// outputs are OrtValues laid over the caller's reused float arrays (pinned for the call), so no tensor is
/// copied or allocated per tile. Cancellation sets <see cref="RunOptions.Terminate"/>, which stops a running
/// session between operators.
/// </summary>
public sealed class OnnxModelRunner : ITileNetwork
{
    private readonly GuardedSession _session;
    private readonly string _path;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    /// <summary>Wraps a session the caller owns and keeps alive while the runner is used; <paramref name="head"/> when its output is features.</summary>
    public OnnxModelRunner(InferenceSession session, string path, string inputName = "input", string outputName = "logits", SlidingWindow.ClassifierHead? head = null)
        : this(new GuardedSession(session ?? throw new ArgumentNullException(nameof(session)), path ?? throw new ArgumentNullException(nameof(path))), path, inputName, outputName, head)
    {
    }

    /// <summary>Wraps a shared session (from <see cref="ModelSessionCache"/>), which may be disposed while this runner runs.</summary>
    internal OnnxModelRunner(GuardedSession guarded, string path, string inputName = "input", string outputName = "logits", SlidingWindow.ClassifierHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(guarded);
        ArgumentNullException.ThrowIfNull(path);
        _session = guarded;
        _path = path;
        var session = guarded.Session;
        if (!session.InputMetadata.TryGetValue(inputName, out var input))
        {
            throw new InferenceException($"{path}: the model has no input '{inputName}' (it has {string.Join(", ", session.InputMetadata.Keys)})");
        }

        if (!session.OutputMetadata.TryGetValue(outputName, out var output))
        {
            throw new InferenceException($"{path}: the model has no output '{outputName}' (it has {string.Join(", ", session.OutputMetadata.Keys)})");
        }

        if (input.Dimensions.Length != 5 || output.Dimensions.Length != 5 || input.Dimensions[1] <= 0 || output.Dimensions[1] <= 0)
        {
            throw new InferenceException($"{path}: expected 3D networks with inputs and outputs [N, C, D, H, W] and fixed channel counts");
        }

        InputChannels = input.Dimensions[1];
        OutputChannels = output.Dimensions[1];
        if (head is not null && head.Features != OutputChannels)
        {
            throw new InferenceException($"{path}: the network gives {OutputChannels} features, its classifier takes {head.Features}");
        }

        Head = head;
        _inputNames = [inputName];
        _outputNames = [outputName];
    }

    /// <summary>The underlying (shared) session.</summary>
    public InferenceSession Session => _session.Session;

    /// <inheritdoc />
    public int InputChannels { get; }

    /// <inheritdoc />
    public int OutputChannels { get; }

    /// <inheritdoc />
    public SlidingWindow.ClassifierHead? Head { get; }

    /// <inheritdoc />
    public void Run(float[] input, float[] output, int batch, IReadOnlyList<int> patchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(patchSize);
        long voxels = (long)patchSize[0] * patchSize[1] * patchSize[2];
        long inCount = batch * InputChannels * voxels, outCount = batch * OutputChannels * voxels;
        if (input.Length < inCount || output.Length < outCount)
        {
            throw new ArgumentException($"buffers of {input.Length}/{output.Length} floats are too small for {batch} tiles");
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, (int)inCount),
            [batch, InputChannels, patchSize[0], patchSize[1], patchSize[2]]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(0, (int)outCount),
            [batch, OutputChannels, patchSize[0], patchSize[1], patchSize[2]]);
        try
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            _session.Run(runOptions, session => session.Run(runOptions, _inputNames, [inputValue], _outputNames, [outputValue]));
            ForwardPassStatistics.Record(batch, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
        catch (OnnxRuntimeException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_session.IsDisposed)
            {
                throw new ObjectDisposedException(_path, $"{_path}: the model's ONNX Runtime session was released during a forward pass (its pipeline was disposed)");
            }

            throw new InferenceException($"{_path}: ONNX Runtime failed on a batch of {batch} tiles of {string.Join("×", patchSize)}: {ex.Message}", ex);
        }
    }
}
