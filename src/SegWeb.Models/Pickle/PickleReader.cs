using System.Buffers.Binary;
using System.Text;

namespace SegWeb.Models.Pickle;

/// <summary>What the unpickler may call: the allow-list of globals and the persistent-id loader.</summary>
public interface IPickleEnvironment
{
    /// <summary>Accepts a global by module and name or throws <see cref="PickleSecurityException"/>; never imports anything.</summary>
    PyGlobal ResolveGlobal(string module, string name);

    /// <summary>Applies an accepted global to its arguments (REDUCE / NEWOBJ) and returns plain data.</summary>
    object? Call(PyGlobal callable, PyTuple args);

    /// <summary>Applies a BUILD state to an object made by <see cref="Call"/>; returns the object to keep.</summary>
    object? Build(object? target, object? state);

    /// <summary>Resolves a BINPERSID id (torch: a storage reference).</summary>
    object PersistentLoad(object? pid);
}

/// <summary>A pickle that asks for a global the allow-list refuses. Nothing was imported or run.</summary>
public sealed class PickleSecurityException(string message) : Exception(message);

/// <summary>A pickle that is malformed (truncated, bad opcode, stack underflow, absurd sizes).</summary>
public sealed class PickleFormatException(string message) : Exception(message);

/// <summary>
/// A restricted unpickler for the protocol 2–5 opcodes that torch.save emits. It builds plain data (dicts,
/// lists, tuples, numbers, strings, bytes) and only calls globals through <see cref="IPickleEnvironment"/>,
/// whose allow-list decides; opcodes that could run arbitrary code by other routes (INST, OBJ, EXT*, text
/// PERSID) are refused outright. Memory stays bounded by the input length and fixed stack/memo limits.
/// </summary>
public sealed class PickleReader
{
    private const int MaxStackDepth = 1_000_000;
    private const int MaxMemo = 10_000_000;
    private const int MaxTupleDepth = 64;
    private static readonly object Mark = new();

    private readonly byte[] _data;
    private readonly IPickleEnvironment _env;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    public PickleReader(byte[] data, IPickleEnvironment environment)
    {
        _data = data ?? throw new ArgumentNullException(nameof(data));
        _env = environment ?? throw new ArgumentNullException(nameof(environment));
    }

    /// <summary>Reads one pickled object (up to STOP).</summary>
    public object? Load()
    {
        while (true)
        {
            int at = _pos;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    int proto = ReadByte();
                    if (proto > 5)
                    {
                        throw new PickleFormatException($"unsupported pickle protocol {proto}");
                    }

                    break;
                case 0x95: // FRAME: only a length hint
                    ReadSpan(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                    {
                        throw new PickleFormatException("STOP with an unbalanced stack");
                    }

                    return Pop();
                case (byte)'(': // MARK
                    _marks.Push(_stack.Count);
                    Push(Mark);
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88:
                    Push(true);
                    break;
                case 0x89:
                    Push(false);
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2)));
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4)));
                    break;
                case 0x8A: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8B: // LONG4
                    Push(ReadLong(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4)))));
                    break;
                case (byte)'G': // BINFLOAT, big-endian
                    Push(BinaryPrimitives.ReadDoubleBigEndian(ReadSpan(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(ReadUtf8(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)))));
                    break;
                case 0x8C: // SHORT_BINUNICODE
                    Push(ReadUtf8(ReadByte()));
                    break;
                case 0x8D: // BINUNICODE8
                    Push(ReadUtf8(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8)))));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str): latin-1 text
                    Push(Encoding.Latin1.GetString(ReadSpan(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4))))));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(ReadSpan(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(ReadSpan(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)))).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(ReadSpan(ReadByte()).ToArray());
                    break;
                case 0x8E: // BINBYTES8
                    Push(ReadSpan(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8)))).ToArray());
                    break;
                case (byte)')':
                    Push(PyTuple.Empty);
                    break;
                case 0x85:
                    Push(Tuple([Pop()]));
                    break;
                case 0x86:
                {
                    var b = Pop();
                    var a = Pop();
                    Push(Tuple([a, b]));
                    break;
                }

                case 0x87:
                {
                    var c = Pop();
                    var b = Pop();
                    var a = Pop();
                    Push(Tuple([a, b, c]));
                    break;
                }

                case (byte)'t': // TUPLE
                    Push(Tuple(PopToMark()));
                    break;
                case (byte)']':
                    Push(new List<object?>());
                    break;
                case (byte)'l': // LIST
                    Push(PopToMark());
                    break;
                case (byte)'a': // APPEND
                {
                    var item = Pop();
                    AsList(Peek(), "APPEND").Add(item);
                    break;
                }

                case (byte)'e': // APPENDS
                {
                    var items = PopToMark();
                    AsList(Peek(), "APPENDS").AddRange(items);
                    break;
                }

                case (byte)'}':
                    Push(new PyDict());
                    break;
                case (byte)'d': // DICT
                {
                    var items = PopToMark();
                    var dict = new PyDict();
                    SetItems(dict, items);
                    Push(dict);
                    break;
                }

                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    SetItems(AsDict(Peek(), "SETITEM"), [key, value]);
                    break;
                }

                case (byte)'u': // SETITEMS
                {
                    var items = PopToMark();
                    SetItems(AsDict(Peek(), "SETITEMS"), items);
                    break;
                }

                case 0x8F: // EMPTY_SET
                    Push(new List<object?>());
                    break;
                case 0x90: // ADDITEMS
                {
                    var items = PopToMark();
                    AsList(Peek(), "ADDITEMS").AddRange(items);
                    break;
                }

                case 0x91: // FROZENSET
                    Push(PopToMark());
                    break;
                case (byte)'c': // GLOBAL "module\nname\n"
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(_env.ResolveGlobal(module, name));
                    break;
                }

                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw new PickleFormatException("STACK_GLOBAL name is not a string");
                    var module = Pop() as string ?? throw new PickleFormatException("STACK_GLOBAL module is not a string");
                    Push(_env.ResolveGlobal(module, name));
                    break;
                }

                case (byte)'R': // REDUCE
                case 0x81: // NEWOBJ: cls(*args) for the allowed classes is the same call
                {
                    var args = Pop() as PyTuple ?? throw new PickleFormatException($"{OpName(op)} arguments are not a tuple (offset {at})");
                    var callable = Pop() as PyGlobal ?? throw new PickleFormatException($"{OpName(op)} on something that is not an allowed global (offset {at})");
                    Push(_env.Call(callable, args));
                    break;
                }

                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    var target = Pop();
                    Push(_env.Build(target, state));
                    break;
                }

                case (byte)'Q': // BINPERSID
                    Push(_env.PersistentLoad(Pop()));
                    break;
                case (byte)'q': // BINPUT
                    Memoize(ReadByte());
                    break;
                case (byte)'r': // LONG_BINPUT
                    Memoize(BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)));
                    break;
                case 0x94: // MEMOIZE
                    Memoize(_memo.Count);
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4))));
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopToMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                default:
                    throw new PickleFormatException($"unsupported or unsafe pickle opcode 0x{op:x2} ('{OpName(op)}') at offset {at}");
            }
        }
    }

    // Tuples hash and print recursively (they can be dict keys); a hostile chain of nested tuples would overflow
    // the stack there, so nesting is bounded when they are built. Real checkpoints nest a few levels.
    private static PyTuple Tuple(IReadOnlyList<object?> items)
    {
        var tuple = new PyTuple(items);
        return tuple.Depth <= MaxTupleDepth ? tuple : throw new PickleFormatException($"tuples nested deeper than {MaxTupleDepth}");
    }

    private static string OpName(byte op) => op switch
    {
        (byte)'R' => "REDUCE",
        0x81 => "NEWOBJ",
        (byte)'i' => "INST",
        (byte)'o' => "OBJ",
        (byte)'P' => "PERSID",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        0x92 => "NEWOBJ_EX",
        >= 0x20 and < 0x7f => ((char)op).ToString(),
        _ => "?",
    };

    private static List<object?> AsList(object? value, string op) =>
        value as List<object?> ?? throw new PickleFormatException($"{op} on a {TypeName(value)}, not a list");

    private static PyDict AsDict(object? value, string op) =>
        value as PyDict ?? throw new PickleFormatException($"{op} on a {TypeName(value)}, not a dict");

    private static string TypeName(object? value) => value?.GetType().Name ?? "None";

    private static void SetItems(PyDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0)
        {
            throw new PickleFormatException("odd number of items for a dict");
        }

        for (int i = 0; i < items.Count; i += 2)
        {
            var key = items[i] ?? throw new PickleFormatException("None as a dict key is not supported");
            dict[key] = items[i + 1];
        }
    }

    private void Memoize(long index)
    {
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index))
        {
            throw new PickleFormatException("memo too large");
        }

        _memo[index] = Peek();
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw new PickleFormatException($"memo index {index} was never stored");

    private void Push(object? value)
    {
        if (_stack.Count >= MaxStackDepth)
        {
            throw new PickleFormatException("pickle stack too deep");
        }

        _stack.Add(value);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks.Peek() == _stack.Count))
        {
            throw new PickleFormatException("pickle stack underflow");
        }

        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        if (ReferenceEquals(value, Mark))
        {
            throw new PickleFormatException("pickle stack underflow (mark)");
        }

        return value;
    }

    private object? Peek()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark))
        {
            throw new PickleFormatException("pickle stack underflow");
        }

        return _stack[^1];
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0)
        {
            throw new PickleFormatException("no MARK on the pickle stack");
        }

        int mark = _marks.Pop();
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte()
    {
        if (_pos >= _data.Length)
        {
            throw new PickleFormatException("pickle data ends early (truncated)");
        }

        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadSpan(int length)
    {
        if (length < 0 || length > _data.Length - _pos)
        {
            throw new PickleFormatException($"pickle data ends early (needs {length} bytes at offset {_pos}, {_data.Length - _pos} left)");
        }

        var span = _data.AsSpan(_pos, length);
        _pos += length;
        return span;
    }

    private int ReadLength(long length) =>
        length < 0 || length > _data.Length - _pos
            ? throw new PickleFormatException($"pickle length {length} at offset {_pos} runs past the end ({_data.Length - _pos} bytes left)")
            : (int)length;

    private int ReadLength(ulong length) => length > int.MaxValue ? ReadLength(-1L) : ReadLength((long)length);

    private string ReadUtf8(int length) => Encoding.UTF8.GetString(ReadSpan(length));

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos, Math.Min(_data.Length - _pos, 1024));
        if (end < 0)
        {
            throw new PickleFormatException("GLOBAL name not terminated");
        }

        var text = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return text;
    }

    private object ReadLong(int length)
    {
        var bytes = ReadSpan(length);
        if (length == 0)
        {
            return 0L;
        }

        if (length > 8)
        {
            var big = new System.Numerics.BigInteger(bytes, isUnsigned: false, isBigEndian: false);
            return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
        }

        long value = 0;
        for (int i = length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        int shift = 64 - (8 * length);
        return shift == 0 ? value : (value << shift) >> shift; // sign-extend two's complement
    }
}
