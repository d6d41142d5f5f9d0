using SegWeb.Models.Pickle;

namespace SegWeb.Models.Checkpoints;

/// <summary>
/// An nnU-Net v2 checkpoint (fold_N/checkpoint_final.pth): a dict with 'network_weights' (the state dict),
/// 'trainer_name', 'inference_allowed_mirroring_axes', 'init_args' and training state SegWeb ignores.
/// </summary>
public sealed class NnUNetCheckpoint : IDisposable
{
    private NnUNetCheckpoint(TorchCheckpoint checkpoint, NetworkWeights weights, string? trainerName, int[]? mirroringAxes)
    {
        Checkpoint = checkpoint;
        Weights = weights;
        TrainerName = trainerName;
        InferenceAllowedMirroringAxes = mirroringAxes;
    }

    public TorchCheckpoint Checkpoint { get; }

    /// <summary>The network's parameters with duplicate aliases resolved.</summary>
    public NetworkWeights Weights { get; }

    /// <summary>'trainer_name' (for example nnUNetTrainer), when present.</summary>
    public string? TrainerName { get; }

    /// <summary>'inference_allowed_mirroring_axes' (spatial axes 0..2 that test-time mirroring may flip), or null when absent/None.</summary>
    public int[]? InferenceAllowedMirroringAxes { get; }

    /// <summary>Opens a checkpoint and checks it has nnU-Net's layout.</summary>
    public static NnUNetCheckpoint Open(string path)
    {
        var checkpoint = TorchCheckpoint.Open(path);
        try
        {
            if (checkpoint.Root is not PyDict root)
            {
                throw new CheckpointFormatException(path, "the checkpoint is not a dict (not an nnU-Net checkpoint)");
            }

            if (!root.TryGetValue("network_weights", out var weightsObject) || weightsObject is not PyDict stateDict)
            {
                throw new CheckpointFormatException(path, "no 'network_weights' state dict (not an nnU-Net v2 checkpoint)");
            }

            var tensors = new Dictionary<string, TorchTensor>(StringComparer.Ordinal);
            foreach (var (key, value) in stateDict.Items)
            {
                if (key is string name && value is TorchTensor tensor)
                {
                    tensors[name] = tensor;
                }
                else
                {
                    throw new CheckpointFormatException(path, $"network_weights entry '{key}' is not a tensor");
                }
            }

            var trainer = root.TryGetValue("trainer_name", out var t) ? t as string : null;
            int[]? axes = null;
            if (root.TryGetValue("inference_allowed_mirroring_axes", out var m) && m is not null)
            {
                IEnumerable<object?> items = m switch
                {
                    PyTuple tuple => tuple.Items,
                    List<object?> list => list,
                    _ => throw new CheckpointFormatException(path, "inference_allowed_mirroring_axes is neither a tuple nor a list"),
                };
                axes = items.Select(a => a is long l ? (int)l : throw new CheckpointFormatException(path, "a mirroring axis is not an integer")).ToArray();
            }

            return new NnUNetCheckpoint(checkpoint, NetworkWeights.Create(checkpoint, tensors), trainer, axes);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    public void Dispose() => Checkpoint.Dispose();
}
