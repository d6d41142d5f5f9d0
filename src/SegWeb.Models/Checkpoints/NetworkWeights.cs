namespace SegWeb.Models.Checkpoints;

/// <summary>
/// A state dict seen through nnU-Net's module layout. dynamic_network_architectures registers some modules
/// twice, so the state dict names the same tensors under two keys: ConvDropoutNormReLU keeps its conv/norm
/// also in <c>all_modules.N</c>, and UNetDecoder holds the encoder as <c>decoder.encoder</c>. The canonical
/// name (<c>.conv.</c>, <c>.norm.</c>, <c>encoder.</c>) is what the graph builder asks for; an alias is used
/// only when the canonical key is missing, and an alias whose data differs from its canonical twin is an
/// error (the file is inconsistent). Keys are checked off as taken, so leftovers reveal an architecture
/// mismatch instead of being silently ignored.
/// </summary>
public sealed class NetworkWeights
{
    private const string DecoderEncoderPrefix = "decoder.encoder.";
    private readonly TorchCheckpoint? _checkpoint;
    private readonly Dictionary<string, TorchTensor> _canonical;
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly Func<string, long[], float[]>? _generator;

    private NetworkWeights(TorchCheckpoint checkpoint, Dictionary<string, TorchTensor> canonical, int aliasCount)
    {
        _checkpoint = checkpoint;
        _canonical = canonical;
        AliasCount = aliasCount;
    }

    private NetworkWeights(Func<string, long[], float[]> generator)
    {
        _canonical = [];
        _generator = generator;
    }

    /// <summary>Number of duplicate (alias) keys that were folded into their canonical names.</summary>
    public int AliasCount { get; }

    /// <summary>The canonical parameter names.</summary>
    public IReadOnlyCollection<string> Names => _canonical.Keys;

    /// <summary>Canonical names not yet taken by the graph builder.</summary>
    public IEnumerable<string> Untaken => _canonical.Keys.Where(k => !_taken.Contains(k));

    internal static NetworkWeights Create(TorchCheckpoint checkpoint, Dictionary<string, TorchTensor> stateDict)
    {
        var canonical = new Dictionary<string, TorchTensor>(StringComparer.Ordinal);
        var aliases = new List<(string Alias, string Canonical, TorchTensor Tensor)>();
        foreach (var (rawKey, tensor) in stateDict)
        {
            var key = StripWrapperPrefixes(rawKey);
            var name = CanonicalName(key);
            if (name == key)
            {
                if (!canonical.TryAdd(name, tensor))
                {
                    throw new CheckpointFormatException(checkpoint.FilePath, $"network_weights names '{name}' twice");
                }
            }
            else
            {
                aliases.Add((rawKey, name, tensor));
            }
        }

        foreach (var (alias, name, tensor) in aliases)
        {
            if (canonical.TryGetValue(name, out var twin))
            {
                if (!twin.Shape.SequenceEqual(tensor.Shape)
                    || (!ReferenceEquals(twin.Storage, tensor.Storage) && !checkpoint.ReadFloat32(twin).AsSpan().SequenceEqual(checkpoint.ReadFloat32(tensor))))
                {
                    throw new CheckpointFormatException(checkpoint.FilePath, $"duplicate key '{alias}' differs from '{name}' (inconsistent state dict)");
                }
            }
            else
            {
                canonical[name] = tensor;
            }
        }

        return new NetworkWeights(checkpoint, canonical, aliases.Count);
    }

    /// <summary>
    /// Weights made on demand by <paramref name="generator"/> (name, shape → values in C order) for every parameter
    /// the graph builder asks for: how architecture twins get seeded random weights through the same exporter.
    /// </summary>
    public static NetworkWeights Generated(Func<string, long[], float[]> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new NetworkWeights(generator);
    }

    /// <summary>Whether a canonical parameter exists (always true for generated weights).</summary>
    public bool Contains(string name) => _generator is not null || _canonical.ContainsKey(name);

    /// <summary>The tensor's metadata, or an error naming the missing key.</summary>
    public TorchTensor Get(string name) =>
        _canonical.TryGetValue(name, out var t) ? t
            : throw new CheckpointFormatException(_checkpoint?.FilePath ?? "(generated weights)", $"network_weights has no '{name}' (the checkpoint does not match the architecture in plans.json)");

    /// <summary>Reads a parameter as float32, checks its shape and marks it taken.</summary>
    public float[] Take(string name, params long[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(expectedShape);
        if (_generator is not null)
        {
            _taken.Add(name);
            var values = _generator(name, expectedShape);
            long count = expectedShape.Aggregate(1L, (a, b) => a * b);
            return values.LongLength == count ? values : throw new InvalidOperationException($"generator gave {values.LongLength} values for '{name}', expected {count}");
        }

        var tensor = Get(name);
        if (!tensor.Shape.SequenceEqual(expectedShape))
        {
            throw new CheckpointFormatException(_checkpoint!.FilePath, $"'{name}' has shape {tensor.ShapeText}, the architecture expects [{string.Join(", ", expectedShape)}]");
        }

        _taken.Add(name);
        return _checkpoint!.ReadFloat32(tensor);
    }

    /// <summary>Marks a parameter the exported graph deliberately leaves out (deep-supervision heads) as accounted for.</summary>
    public void Ignore(string name)
    {
        if (_generator is not null)
        {
            return;
        }

        Get(name);
        _taken.Add(name);
    }

    /// <summary>Maps an alias key to its canonical name (identity for canonical keys).</summary>
    internal static string CanonicalName(string key)
    {
        if (key.StartsWith(DecoderEncoderPrefix, StringComparison.Ordinal))
        {
            key = key["decoder.".Length..];
        }

        // ConvDropoutNormReLU.all_modules = [conv, (dropout), norm, (nonlin)]; only conv and norm have parameters.
        int at = key.IndexOf(".all_modules.", StringComparison.Ordinal);
        if (at >= 0)
        {
            var rest = key[(at + ".all_modules.".Length)..];
            int dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(rest.AsSpan(0, dot), out int index))
            {
                key = key[..at] + (index == 0 ? ".conv" : ".norm") + rest[dot..];
            }
        }

        return key;
    }

    private static string StripWrapperPrefixes(string key)
    {
        // torch.compile (_orig_mod.) and DataParallel/DDP (module.) wrappers prefix every key.
        foreach (var prefix in (string[])["_orig_mod.", "module."])
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                key = key[prefix.Length..];
            }
        }

        return key;
    }
}
