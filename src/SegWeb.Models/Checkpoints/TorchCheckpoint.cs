using System.IO.Compression;
using System.Runtime.InteropServices;
using SegWeb.Models.Pickle;

namespace SegWeb.Models.Checkpoints;

/// <summary>
/// A PyTorch checkpoint in torch.save's zip format (torch ≥ 1.6): <c>&lt;archive&gt;/data.pkl</c> holds the
/// pickled object, <c>&lt;archive&gt;/data/&lt;key&gt;</c> the raw little-endian bytes of each storage. Read without
/// Python through a restricted unpickler (see <see cref="TorchPickleEnvironment"/>). Dispose to close the file.
/// </summary>
public sealed class TorchCheckpoint : IDisposable
{
    /// <summary>Largest data.pkl accepted; real checkpoints hold a few MB of pickle at most.</summary>
    private const long MaxPickleBytes = 512L * 1024 * 1024;

    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly Dictionary<string, TorchStorageRef> _storages;

    private TorchCheckpoint(string path, ZipArchive zip, string prefix, object? root, Dictionary<string, TorchStorageRef> storages)
    {
        FilePath = path;
        _zip = zip;
        _prefix = prefix;
        Root = root;
        _storages = storages;
    }

    /// <summary>The checkpoint file, as given.</summary>
    public string FilePath { get; }

    /// <summary>The unpickled object (for nnU-Net a <see cref="PyDict"/>).</summary>
    public object? Root { get; }

    /// <summary>Opens and unpickles a checkpoint; a truncated, corrupt, legacy or hostile file gives <see cref="CheckpointFormatException"/>.</summary>
    public static TorchCheckpoint Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, "checkpoint file not found");
        }

        FileStream? stream = null;
        ZipArchive? zip = null;
        bool opened = false;
        try
        {
            stream = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            if (got < 4 || magic[0] != (byte)'P' || magic[1] != (byte)'K')
            {
                var problem = got >= 2 && magic[0] == 0x80
                    ? "legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch.save in a current PyTorch"
                    : "not a PyTorch zip checkpoint (no zip signature)";
                throw new CheckpointFormatException(path, problem);
            }

            stream.Position = 0;
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                && e.FullName.IndexOf('/', StringComparison.Ordinal) == e.FullName.Length - "/data.pkl".Length).ToList();
            if (pickles.Count != 1)
            {
                throw new CheckpointFormatException(path, pickles.Count == 0 ? "no <archive>/data.pkl entry: not a torch.save checkpoint" : "several data.pkl entries");
            }

            var entry = pickles[0];
            if (entry.Length > MaxPickleBytes)
            {
                throw new CheckpointFormatException(path, $"data.pkl is {entry.Length} bytes, more than the {MaxPickleBytes} accepted");
            }

            var prefix = entry.FullName[..^"data.pkl".Length];
            var bytes = ReadEntry(entry, entry.Length);
            var env = new TorchPickleEnvironment();
            var root = new PickleReader(bytes, env).Load();
            var checkpoint = new TorchCheckpoint(path, zip, prefix, root, env.Storages);
            checkpoint.ValidateStorages();
            zip = null; // owned by the checkpoint now
            opened = true;
            return checkpoint;
        }
        catch (PickleSecurityException ex)
        {
            throw new CheckpointFormatException(path, ex.Message, ex);
        }
        catch (PickleFormatException ex)
        {
            throw new CheckpointFormatException(path, $"corrupt pickle: {ex.Message}", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new CheckpointFormatException(path, $"corrupt or truncated zip: {ex.Message}", ex);
        }
        finally
        {
            // On failure nothing stays open; on success the checkpoint owns the zip (and the zip the stream).
            if (zip is not null)
            {
                zip.Dispose();
            }
            else if (!opened)
            {
                stream?.Dispose();
            }
        }
    }

    /// <summary>Reads a tensor as float32 (converting float16, bfloat16, float64), contiguous in C order.</summary>
    public float[] ReadFloat32(TorchTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var storage = tensor.Storage;
        var raw = ReadStorageBytes(storage);
        long count = tensor.ElementCount;
        if (IsContiguous(tensor))
        {
            // The common case (every parameter torch.save writes from a module): one block copy or conversion.
            return ReadContiguous(raw, storage.DType, tensor.StorageOffset, count);
        }

        var result = new float[count];
        var shape = tensor.Shape;
        var strides = tensor.Strides;
        var index = new long[shape.Length];
        for (long i = 0; i < count; i++)
        {
            long e = tensor.StorageOffset;
            for (int d = 0; d < shape.Length; d++)
            {
                e += index[d] * strides[d];
            }

            result[i] = ReadElement(raw, storage.DType, e);
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return result;
    }

    /// <summary>The raw bytes of a storage; its size must match the element count the pickle gave.</summary>
    public byte[] ReadStorageBytes(TorchStorageRef storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var entry = FindStorageEntry(storage);
        long expected = storage.ElementCount * ElementSize(storage.DType);
        try
        {
            return ReadEntry(entry, expected);
        }
        catch (InvalidDataException ex)
        {
            throw new CheckpointFormatException(FilePath, $"storage {storage.Key} is corrupt: {ex.Message}", ex);
        }
    }

    public void Dispose() => _zip.Dispose();

    internal static int ElementSize(TorchDType dtype) => dtype switch
    {
        TorchDType.Float64 or TorchDType.Int64 => 8,
        TorchDType.Float32 or TorchDType.Int32 => 4,
        TorchDType.Float16 or TorchDType.BFloat16 or TorchDType.Int16 => 2,
        _ => 1,
    };

    private static bool IsContiguous(TorchTensor tensor)
    {
        long expected = 1;
        for (int d = tensor.Shape.Length - 1; d >= 0; d--)
        {
            if (tensor.Shape[d] != 1 && tensor.Strides[d] != expected)
            {
                return false;
            }

            expected *= tensor.Shape[d];
        }

        return true;
    }

    private static float[] ReadContiguous(byte[] raw, TorchDType dtype, long offset, long count)
    {
        int size = ElementSize(dtype);
        var bytes = raw.AsSpan(checked((int)(offset * size)), checked((int)(count * size)));
        switch (dtype)
        {
            case TorchDType.Float32:
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case TorchDType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                var result = new float[count];
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = (float)halves[i];
                }

                return result;
            default:
                var values = new float[count];
                for (long i = 0; i < count; i++)
                {
                    values[i] = ReadElement(raw, dtype, offset + i);
                }

                return values;
        }
    }

    private static float ReadElement(byte[] raw, TorchDType dtype, long element)
    {
        var span = raw.AsSpan();
        int at = checked((int)(element * ElementSize(dtype)));
        return dtype switch
        {
            TorchDType.Float32 => MemoryMarshal.Read<float>(span[at..]),
            TorchDType.Float16 => (float)MemoryMarshal.Read<Half>(span[at..]),
            TorchDType.BFloat16 => BitConverter.Int32BitsToSingle(MemoryMarshal.Read<ushort>(span[at..]) << 16),
            TorchDType.Float64 => (float)MemoryMarshal.Read<double>(span[at..]),
            TorchDType.Int64 => MemoryMarshal.Read<long>(span[at..]),
            TorchDType.Int32 => MemoryMarshal.Read<int>(span[at..]),
            TorchDType.Int16 => MemoryMarshal.Read<short>(span[at..]),
            TorchDType.Int8 => (sbyte)raw[at],
            _ => raw[at],
        };
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, long expectedLength)
    {
        if (entry.Length != expectedLength)
        {
            throw new InvalidDataException($"entry {entry.FullName} has {entry.Length} bytes, expected {expectedLength}");
        }

        if (expectedLength > Array.MaxLength)
        {
            throw new InvalidDataException($"entry {entry.FullName} declares {expectedLength} bytes, more than one tensor storage may hold");
        }

        var buffer = new byte[expectedLength];
        using var s = entry.Open();
        int read = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read != buffer.Length)
        {
            throw new InvalidDataException($"entry {entry.FullName} ends after {read} of {buffer.Length} bytes (truncated)");
        }

        return buffer;
    }

    private ZipArchiveEntry FindStorageEntry(TorchStorageRef storage) =>
        _zip.GetEntry($"{_prefix}data/{storage.Key}")
        ?? throw new CheckpointFormatException(FilePath, $"storage '{storage.Key}' is missing from the zip (truncated checkpoint?)");

    private void ValidateStorages()
    {
        foreach (var storage in _storages.Values)
        {
            var entry = FindStorageEntry(storage);
            long expected = storage.ElementCount * ElementSize(storage.DType);
            if (entry.Length != expected)
            {
                throw new CheckpointFormatException(FilePath, $"storage '{storage.Key}' has {entry.Length} bytes, expected {expected} ({storage.ElementCount} × {storage.DType})");
            }
        }
    }
}
