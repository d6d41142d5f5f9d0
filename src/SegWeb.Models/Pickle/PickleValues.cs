namespace SegWeb.Models.Pickle;

/// <summary>A Python tuple from a pickle. Equality is structural so tuples can serve as dictionary keys.</summary>
public sealed class PyTuple(IReadOnlyList<object?> items) : IEquatable<PyTuple>
{
    public static readonly PyTuple Empty = new([]);

    public IReadOnlyList<object?> Items { get; } = items;

    /// <summary>Nesting depth (1 for a tuple without tuples inside), from the children's stored depths.</summary>
    public int Depth { get; } = 1 + items.Select(i => i is PyTuple t ? t.Depth : 0).DefaultIfEmpty(0).Max();

    public int Count => Items.Count;

    public object? this[int index] => Items[index];

    public bool Equals(PyTuple? other) =>
        other is not null && other.Items.Count == Items.Count && Items.Zip(other.Items).All(p => Equals(p.First, p.Second));

    public override bool Equals(object? obj) => Equals(obj as PyTuple);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => $"({string.Join(", ", Items)})";
}

/// <summary>
/// A Python dict or collections.OrderedDict from a pickle, in insertion order. Attributes set by BUILD (for
/// example a state dict's <c>_metadata</c>) are kept apart from the items.
/// </summary>
public sealed class PyDict
{
    private readonly OrderedDictionary<object, object?> _items = [];

    public int Count => _items.Count;

    public IEnumerable<KeyValuePair<object, object?>> Items => _items;

    public IEnumerable<object> Keys => _items.Keys;

    /// <summary>Attributes given by a BUILD opcode (an OrderedDict's instance __dict__).</summary>
    public Dictionary<string, object?> Attributes { get; } = [];

    public object? this[object key]
    {
        get => _items[key];
        set => _items[key] = value;
    }

    public bool TryGetValue(object key, out object? value) => _items.TryGetValue(key, out value);

    public bool ContainsKey(object key) => _items.ContainsKey(key);
}

/// <summary>A global that the allow-list accepted (module and name as the pickle spelled them).</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";

    public override string ToString() => FullName;
}

/// <summary>A numpy dtype as pickled by numpy.dtype(...) (a string like "f8", "i8").</summary>
public sealed class NumpyDType(string code)
{
    public string Code { get; } = code;

    /// <summary>Byte order from the BUILD state: '&lt;', '&gt;', '|' or '='.</summary>
    public char ByteOrder { get; set; } = '<';
}

/// <summary>A storage of a torch.save zip checkpoint, named by its persistent id ('storage', type, key, location, numel).</summary>
public sealed record TorchStorageRef(TorchDType DType, string Key, string Location, long ElementCount);

/// <summary>Element types of torch storages.</summary>
public enum TorchDType
{
    Float32,
    Float16,
    BFloat16,
    Float64,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    Bool,
}
