using System.Text;
using SegWeb.Models.Pickle;

namespace SegWeb.Models.Checkpoints;

/// <summary>
/// The allow-list for PyTorch checkpoints. Accepted globals, and what they build:
/// collections.OrderedDict (a dict); torch._utils._rebuild_tensor_v2 / _rebuild_parameter /
/// _rebuild_parameter_with_state (a <see cref="TorchTensor"/>); torch.*Storage (only as storage types in
/// persistent ids); torch.device (its string); numpy scalar + numpy.dtype (a double or long); _codecs.encode
/// with latin-1 (how protocol 2 pickles bytes); builtins/__builtin__ set and frozenset (a list: nnU-Net's
/// trainer state may hold sets, and building a container runs nothing). Everything else, including
/// torch.storage._load_from_bytes (which unpickles nested data with the full unpickler), is refused.
/// </summary>
internal sealed class TorchPickleEnvironment : IPickleEnvironment
{
    private static readonly Dictionary<string, TorchDType> StorageTypes = new()
    {
        ["FloatStorage"] = TorchDType.Float32,
        ["HalfStorage"] = TorchDType.Float16,
        ["BFloat16Storage"] = TorchDType.BFloat16,
        ["DoubleStorage"] = TorchDType.Float64,
        ["LongStorage"] = TorchDType.Int64,
        ["IntStorage"] = TorchDType.Int32,
        ["ShortStorage"] = TorchDType.Int16,
        ["CharStorage"] = TorchDType.Int8,
        ["ByteStorage"] = TorchDType.UInt8,
        ["BoolStorage"] = TorchDType.Bool,
    };

    private static readonly HashSet<string> Allowed =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch.device",
        "numpy.core.multiarray.scalar",
        "numpy._core.multiarray.scalar",
        "numpy.dtype",
        "_codecs.encode",
        "builtins.set",
        "builtins.frozenset",
        "__builtin__.set",
        "__builtin__.frozenset",
    ];

    /// <summary>Storages the pickle referred to, by key.</summary>
    public Dictionary<string, TorchStorageRef> Storages { get; } = [];

    public PyGlobal ResolveGlobal(string module, string name)
    {
        var full = $"{module}.{name}";
        if (Allowed.Contains(full) || (module == "torch" && StorageTypes.ContainsKey(name)))
        {
            return new PyGlobal(module, name);
        }

        throw new PickleSecurityException($"checkpoint refers to the forbidden global '{full}' (only tensors, storages and plain containers are allowed; nothing was executed)");
    }

    public object? Call(PyGlobal callable, PyTuple args)
    {
        ArgumentNullException.ThrowIfNull(callable);
        ArgumentNullException.ThrowIfNull(args);
        switch (callable.FullName)
        {
            case "collections.OrderedDict":
                var dict = new PyDict();
                if (args.Count > 0 && args[0] is List<object?> pairs)
                {
                    foreach (var pair in pairs)
                    {
                        if (pair is PyTuple { Count: 2 } kv && kv[0] is { } key)
                        {
                            dict[key] = kv[1];
                        }
                    }
                }

                return dict;
            case "torch._utils._rebuild_tensor_v2":
                return RebuildTensor(args);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return args.Count > 0 && args[0] is TorchTensor t ? t : throw Bad(callable, "expects a tensor");
            case "torch.device":
                return string.Join(":", args.Items);
            case "numpy.dtype":
                return args.Count > 0 && args[0] is string code ? new NumpyDType(code) : throw Bad(callable, "expects a type code");
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar":
                return NumpyScalar(args);
            case "_codecs.encode":
                if (args.Count == 2 && args[0] is string text && args[1] is "latin1" or "latin-1")
                {
                    return Encoding.Latin1.GetBytes((string)args[0]!);
                }

                throw Bad(callable, "only latin-1 encoding of a string is allowed");
            case "builtins.set":
            case "builtins.frozenset":
            case "__builtin__.set":
            case "__builtin__.frozenset":
                return args.Count == 0 ? new List<object?>() : args[0] as List<object?> ?? throw Bad(callable, "expects a list");
            default:
                throw Bad(callable, "cannot be called (it is only allowed as a storage type)");
        }
    }

    public object? Build(object? target, object? state)
    {
        switch (target)
        {
            case PyDict dict when state is PyDict attributes:
                foreach (var (key, value) in attributes.Items)
                {
                    dict.Attributes[key.ToString() ?? string.Empty] = value;
                }

                return dict;
            case NumpyDType dtype when state is PyTuple { Count: > 1 } t && t[1] is string order && order.Length == 1:
                dtype.ByteOrder = order[0];
                return dtype;
            case TorchTensor or NumpyDType:
                return target; // tensor state (hooks, attributes) carries nothing inference needs
            default:
                throw new PickleFormatException($"BUILD on a {target?.GetType().Name ?? "None"} is not supported");
        }
    }

    public object PersistentLoad(object? pid)
    {
        // ('storage', <storage type global>, key, location, numel)
        if (pid is not PyTuple { Count: 5 } t || t[0] is not "storage" || t[1] is not PyGlobal type || t[2] is not string key
            || t[4] is not long numel || numel < 0)
        {
            throw new PickleFormatException($"unsupported persistent id {pid}");
        }

        if (type.Module != "torch" || !StorageTypes.TryGetValue(type.Name, out var dtype))
        {
            throw new PickleFormatException($"unsupported storage type {type.FullName}");
        }

        if (Storages.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var storage = new TorchStorageRef(dtype, key, t[3]?.ToString() ?? "cpu", numel);
        Storages[key] = storage;
        return storage;
    }

    private static TorchTensor RebuildTensor(PyTuple args)
    {
        if (args.Count < 4 || args[0] is not TorchStorageRef storage || args[1] is not long offset
            || args[2] is not PyTuple size || args[3] is not PyTuple stride || size.Count != stride.Count)
        {
            throw new PickleFormatException("malformed _rebuild_tensor_v2 arguments");
        }

        var shape = size.Items.Select(v => v is long l && l >= 0 ? l : throw new PickleFormatException("bad tensor size")).ToArray();
        var strides = stride.Items.Select(v => v is long l && l >= 0 ? l : throw new PickleFormatException("bad tensor stride")).ToArray();
        long last = offset;
        foreach (var (n, s) in shape.Zip(strides))
        {
            if (n == 0)
            {
                last = -1;
                break;
            }

            last += (n - 1) * s;
        }

        if (offset < 0 || (last >= storage.ElementCount && shape.All(n => n > 0)))
        {
            throw new PickleFormatException($"tensor view (offset {offset}, shape [{string.Join(",", shape)}]) runs past its storage of {storage.ElementCount} elements");
        }

        return new TorchTensor(storage, offset, shape, strides);
    }

    private static object NumpyScalar(PyTuple args)
    {
        if (args.Count != 2 || args[0] is not NumpyDType dtype || args[1] is not byte[] bytes)
        {
            throw new PickleFormatException("malformed numpy scalar");
        }

        if (dtype.ByteOrder == '>')
        {
            Array.Reverse(bytes);
        }

        return (dtype.Code, bytes.Length) switch
        {
            ("f8", 8) => BitConverter.ToDouble(bytes),
            ("f4", 4) => (double)BitConverter.ToSingle(bytes),
            ("f2", 2) => (double)BitConverter.ToHalf(bytes),
            ("i8", 8) => BitConverter.ToInt64(bytes),
            ("i4", 4) => (long)BitConverter.ToInt32(bytes),
            ("u8", 8) => (long)BitConverter.ToUInt64(bytes),
            ("u4", 4) => (long)BitConverter.ToUInt32(bytes),
            ("b1", 1) => bytes[0] != 0,
            _ => throw new PickleFormatException($"unsupported numpy scalar dtype {dtype.Code}"),
        };
    }

    private static PickleFormatException Bad(PyGlobal callable, string problem) => new($"{callable.FullName}: {problem}");
}
