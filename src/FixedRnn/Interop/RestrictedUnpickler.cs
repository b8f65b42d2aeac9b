using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace FixedRnn.Interop;

/// <summary>
/// Reads the <c>data.pkl</c> of a <c>torch.save</c> archive without executing anything: a pickle interpreter
/// that knows only the opcodes of protocols 2 to 5 that a state_dict uses, and only the globals that PyTorch's
/// own <c>weights_only=True</c> unpickler allows for tensors, parameters and (ordered) dicts of them.
/// </summary>
/// <remarks>
/// <para>
/// Globals: <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>,
/// <c>torch._utils._rebuild_parameter</c>, <c>torch._utils._rebuild_parameter_with_state</c>,
/// <c>torch.nn.parameter.Parameter</c> and the storage classes <c>torch.FloatStorage</c>, <c>DoubleStorage</c>,
/// <c>HalfStorage</c>, <c>BFloat16Storage</c>, <c>LongStorage</c>, <c>IntStorage</c>, <c>ShortStorage</c>,
/// <c>CharStorage</c>, <c>ByteStorage</c>, <c>BoolStorage</c>. They are never looked up or called: each is a
/// name this reader interprets itself (building a dict, or describing a tensor view of a storage). Any other
/// global, any other opcode (<c>INST</c>, <c>OBJ</c>, <c>NEWOBJ</c>, <c>EXT*</c>, text-protocol opcodes, …) and
/// any other persistent id than <c>('storage', class, key, location, numel)</c> is an error naming it.
/// </para>
/// <para>
/// Bounds: every value the interpreter creates costs at least one opcode byte, strings and integers are no longer
/// than the bytes that hold them (integers at most 64 bits), and the stack, the memo and container nesting are
/// limited (<see cref="MaxDepth"/>), so time and memory are linear in the pickle's length.
/// </para>
/// </remarks>
internal sealed class RestrictedUnpickler
{
    /// <summary>The deepest nesting of containers accepted (a state_dict nests 1 or 2 deep).</summary>
    public const int MaxDepth = 64;

    private const int MaxMemo = 1 << 20;

    private static readonly HashSet<string> StorageClasses = new(StringComparer.Ordinal)
    {
        "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
        "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage",
    };

    private readonly byte[] _pickle;
    private readonly List<object> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object> _memo = [];
    private int _position;

    private RestrictedUnpickler(byte[] pickle) => _pickle = pickle;

    /// <summary>Interprets <paramref name="pickle"/> and returns the object it builds.</summary>
    /// <exception cref="WeightFormatException">The pickle is malformed or uses anything outside the restricted set.</exception>
    public static object Load(byte[] pickle) => new RestrictedUnpickler(pickle).Run();

    private object Run()
    {
        while (true)
        {
            int offset = _position;
            byte opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    byte protocol = ReadByte();
                    if (protocol is < 2 or > 5)
                    {
                        throw Error(offset, $"pickle protocol {protocol} (torch.save writes 2)");
                    }

                    break;
                case 0x95: // FRAME: a length hint only
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                    {
                        throw Error(offset, "STOP with an unbalanced stack");
                    }

                    return _stack[0];
                case (byte)'(': // MARK
                    if (_marks.Count >= MaxDepth * 4)
                    {
                        throw Error(offset, $"more than {MaxDepth * 4} open MARKs");
                    }

                    _marks.Add(_stack.Count);
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new PickleDict());
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new PickleList());
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(new PickleTuple([]));
                    break;
                case (byte)'t': // TUPLE
                    Push(new PickleTuple(PopMark(offset).ToArray()));
                    break;
                case 0x85: // TUPLE1
                    Push(new PickleTuple([Pop(offset)]));
                    break;
                case 0x86: // TUPLE2
                {
                    object second = Pop(offset);
                    object first = Pop(offset);
                    Push(new PickleTuple([first, second]));
                    break;
                }

                case 0x87: // TUPLE3
                {
                    object third = Pop(offset);
                    object second = Pop(offset);
                    object first = Pop(offset);
                    Push(new PickleTuple([first, second, third]));
                    break;
                }

                case (byte)'N': // NONE
                    Push(PickleNone.Instance);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case 0x8A: // LONG1
                    Push(ReadLong(offset, ReadByte()));
                    break;
                case (byte)'G': // BINFLOAT
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(ReadString(offset, BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case 0x8C: // SHORT_BINUNICODE
                    Push(ReadString(offset, ReadByte()));
                    break;
                case 0x8D: // BINUNICODE8
                    Push(ReadString(offset, BinaryPrimitives.ReadUInt64LittleEndian(Take(8))));
                    break;
                case (byte)'q': // BINPUT
                    Memoize(offset, ReadByte());
                    break;
                case (byte)'r': // LONG_BINPUT
                    Memoize(offset, BinaryPrimitives.ReadUInt32LittleEndian(Take(4)));
                    break;
                case 0x94: // MEMOIZE
                    Memoize(offset, _memo.Count);
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(offset, ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(offset, BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case (byte)'c': // GLOBAL module\nname\n
                {
                    string module = ReadLine(offset);
                    string name = ReadLine(offset);
                    Push(Global(offset, module, name));
                    break;
                }

                case 0x93: // STACK_GLOBAL
                {
                    object name = Pop(offset);
                    object module = Pop(offset);
                    if (module is not string moduleName || name is not string globalName)
                    {
                        throw Error(offset, "STACK_GLOBAL of something other than two strings");
                    }

                    Push(Global(offset, moduleName, globalName));
                    break;
                }

                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(offset, Pop(offset)));
                    break;
                case (byte)'R': // REDUCE
                {
                    object arguments = Pop(offset);
                    object callable = Pop(offset);
                    Push(Reduce(offset, callable, arguments));
                    break;
                }

                case (byte)'b': // BUILD
                {
                    object state = Pop(offset);
                    object target = Peek(offset);
                    if (target is not (PickleDict or TorchTensor) || state is not (PickleDict or PickleNone or PickleTuple))
                    {
                        throw Error(offset, $"BUILD of {Describe(target)} with {Describe(state)}; only the attributes of an OrderedDict or tensor are allowed");
                    }

                    break; // The state_dict's _metadata (module versions) and tensor attributes are not weights.
                }

                case (byte)'s': // SETITEM
                {
                    object value = Pop(offset);
                    object key = Pop(offset);
                    AsDict(offset, Peek(offset)).Add(offset, key, value);
                    break;
                }

                case (byte)'u': // SETITEMS
                {
                    List<object> items = PopMark(offset);
                    if (items.Count % 2 != 0)
                    {
                        throw Error(offset, "SETITEMS with an odd number of items");
                    }

                    PickleDict dict = AsDict(offset, Peek(offset));
                    for (int i = 0; i < items.Count; i += 2)
                    {
                        dict.Add(offset, items[i], items[i + 1]);
                    }

                    break;
                }

                case (byte)'a': // APPEND
                {
                    object value = Pop(offset);
                    AsList(offset, Peek(offset)).Items.Add(value);
                    break;
                }

                case (byte)'e': // APPENDS
                {
                    List<object> items = PopMark(offset);
                    AsList(offset, Peek(offset)).Items.AddRange(items);
                    break;
                }

                case (byte)'0': // POP
                    Pop(offset);
                    break;
                case (byte)'2': // DUP
                    Push(Peek(offset));
                    break;
                default:
                    throw Error(offset, $"opcode 0x{opcode:X2}{OpcodeName(opcode)}, which a weights-only load does not allow");
            }
        }
    }

    private static object Global(int offset, string module, string name)
    {
        string full = $"{module}.{name}";
        bool allowed = full is "collections.OrderedDict" or "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_parameter"
            or "torch._utils._rebuild_parameter_with_state" or "torch.nn.parameter.Parameter"
            || (module == "torch" && StorageClasses.Contains(name));
        if (!allowed)
        {
            string hint = module.StartsWith("torch", StringComparison.Ordinal)
                ? "it is not one that a state_dict of tensors needs"
                : "the file holds a pickled Python object (such as torch.save(model) of a whole module), not a state_dict of tensors; "
                  + "loading it would mean running its code. Save model.state_dict() instead";
            throw new WeightFormatException(
                $"The pickle (data.pkl) at byte {offset} names the global '{Quote(full)}', which a weights-only load does not allow: {hint}.");
        }

        return new PickleGlobal(full);
    }

    private object PersistentLoad(int offset, object id)
    {
        // ('storage', torch.FloatStorage, '0', 'cpu', numel)
        if (id is not PickleTuple { Items: [string tag, PickleGlobal storage, string key, string location, long count] } || tag != "storage"
            || !storage.Name.StartsWith("torch.", StringComparison.Ordinal))
        {
            throw Error(offset, $"a persistent id {Describe(id)}; expected ('storage', torch.<Type>Storage, key, location, numel)");
        }

        if (count < 0)
        {
            throw Error(offset, $"a storage with {count} elements");
        }

        _ = location; // 'cpu' or 'cuda:0': the bytes are the same in the archive.
        return new TorchStorage(storage.Name["torch.".Length..], key, count);
    }

    private object Reduce(int offset, object callable, object arguments)
    {
        if (callable is not PickleGlobal function || arguments is not PickleTuple tuple)
        {
            throw Error(offset, $"REDUCE of {Describe(callable)} with {Describe(arguments)}");
        }

        object[] args = tuple.Items;
        switch (function.Name)
        {
            case "collections.OrderedDict" when args.Length == 0:
                return new PickleDict();
            case "torch._utils._rebuild_tensor_v2" when args.Length is 6 or 7:
                if (args[0] is not TorchStorage storage || args[1] is not long storageOffset
                    || args[2] is not PickleTuple size || args[3] is not PickleTuple stride)
                {
                    throw Error(offset, "_rebuild_tensor_v2 with arguments other than (storage, offset, size, stride, …)");
                }

                return new TorchTensor(storage, storageOffset, Longs(offset, size, "size"), Longs(offset, stride, "stride"));
            case "torch._utils._rebuild_parameter" when args.Length == 3 && args[0] is TorchTensor parameter:
                return parameter;
            case "torch._utils._rebuild_parameter_with_state" when args.Length == 4 && args[0] is TorchTensor parameter:
                return parameter;
            case "torch.nn.parameter.Parameter" when args.Length is 1 or 2 && args[0] is TorchTensor parameter:
                return parameter;
            default:
                throw Error(offset, $"a call of {function.Name} with {args.Length} argument{(args.Length == 1 ? string.Empty : "s")} that a weights-only load does not make");
        }
    }

    private long[] Longs(int offset, PickleTuple tuple, string what)
    {
        var values = new long[tuple.Items.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = tuple.Items[i] is long value && value >= 0 ? value : throw Error(offset, $"a tensor {what} entry {Describe(tuple.Items[i])}");
        }

        return values;
    }

    private long ReadLong(int offset, int length)
    {
        if (length > 8)
        {
            throw Error(offset, $"an integer of {length} bytes; at most 64 bits are accepted");
        }

        ReadOnlySpan<byte> bytes = Take(length);
        long value = 0;
        for (int i = length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        if (length is > 0 and < 8 && (bytes[length - 1] & 0x80) != 0)
        {
            value -= 1L << (8 * length); // two's complement of the given width
        }

        return value;
    }

    private string ReadString(int offset, ulong length)
    {
        if (length > (ulong)(_pickle.Length - _position))
        {
            throw Error(offset, $"a string of {length} bytes, past the end of the pickle");
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take((int)length));
        }
        catch (DecoderFallbackException ex)
        {
            throw new WeightFormatException($"The pickle (data.pkl) at byte {offset} has a string that is not valid UTF-8.", ex);
        }
    }

    private string ReadLine(int offset)
    {
        int end = Array.IndexOf(_pickle, (byte)'\n', _position, Math.Min(256, _pickle.Length - _position));
        if (end < 0)
        {
            throw Error(offset, "a GLOBAL name without an end of line within 256 bytes");
        }

        string line = Encoding.ASCII.GetString(_pickle, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private void Memoize(int offset, long index)
    {
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index))
        {
            throw Error(offset, $"more than {MaxMemo} memo entries");
        }

        _memo[index] = Peek(offset);
    }

    private object Recall(int offset, long index)
        => _memo.TryGetValue(index, out object? value) ? value : throw Error(offset, $"memo entry {index}, which was never stored");

    private byte ReadByte()
    {
        if (_position >= _pickle.Length)
        {
            throw new WeightFormatException("The pickle (data.pkl) ends without a STOP opcode.");
        }

        return _pickle[_position++];
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _pickle.Length - _position)
        {
            throw new WeightFormatException($"The pickle (data.pkl) ends inside an opcode's argument at byte {_position}.");
        }

        var span = new ReadOnlySpan<byte>(_pickle, _position, count);
        _position += count;
        return span;
    }

    private void Push(object value) => _stack.Add(value);

    private object Pop(int offset)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor)
        {
            throw Error(offset, "an opcode that pops from an empty stack");
        }

        object value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object Peek(int offset)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        return _stack.Count > floor ? _stack[^1] : throw Error(offset, "an opcode that reads an empty stack");
    }

    private List<object> PopMark(int offset)
    {
        if (_marks.Count == 0)
        {
            throw Error(offset, "an opcode that needs a MARK without one");
        }

        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        List<object> items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private PickleDict AsDict(int offset, object target)
        => target as PickleDict ?? throw Error(offset, $"SETITEM on {Describe(target)}");

    private PickleList AsList(int offset, object target)
        => target as PickleList ?? throw Error(offset, $"APPEND on {Describe(target)}");

    private static WeightFormatException Error(int offset, string what)
        => new($"The pickle (data.pkl) at byte {offset} has {what}.");

    private static string OpcodeName(byte opcode) => opcode switch
    {
        (byte)'i' => " (INST)",
        (byte)'o' => " (OBJ)",
        0x81 => " (NEWOBJ)",
        0x92 => " (NEWOBJ_EX)",
        0x82 or 0x83 or 0x84 => " (EXT)",
        (byte)'P' => " (PERSID)",
        (byte)'I' or (byte)'L' or (byte)'F' or (byte)'S' or (byte)'V' => " (a text-protocol opcode)",
        0x8B => " (LONG4)",
        _ => string.Empty,
    };

    internal static string Describe(object value) => value switch
    {
        PickleGlobal global => $"the global {global.Name}",
        PickleDict => "a dict",
        PickleList => "a list",
        PickleTuple tuple => $"a tuple of {tuple.Items.Length}",
        TorchTensor => "a tensor",
        TorchStorage => "a storage",
        string text => $"the string '{Quote(text)}'",
        long number => $"the integer {number.ToString(CultureInfo.InvariantCulture)}",
        double number => $"the float {number.ToString(CultureInfo.InvariantCulture)}",
        bool flag => flag ? "True" : "False",
        _ => "None",
    };

    private static string Quote(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");

    /// <summary>A global the reader interprets itself, by name.</summary>
    internal sealed record PickleGlobal(string Name);

    /// <summary>Python's None.</summary>
    internal sealed class PickleNone
    {
        public static readonly PickleNone Instance = new();
    }

    internal sealed record PickleTuple(object[] Items);

    internal sealed class PickleList
    {
        public List<object> Items { get; } = [];
    }

    /// <summary>A dict or OrderedDict, keys in insertion order.</summary>
    internal sealed class PickleDict
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public List<(string Key, object Value)> Items { get; } = [];

        public void Add(int offset, object key, object value)
        {
            string name = key switch
            {
                string text => text,
                long number => number.ToString(CultureInfo.InvariantCulture),
                _ => throw Error(offset, $"a dict key that is {Describe(key)}"),
            };
            if (_index.TryGetValue(name, out int existing))
            {
                Items[existing] = (name, value); // Python's dict: the last assignment wins.
                return;
            }

            _index.Add(name, Items.Count);
            Items.Add((name, value));
        }
    }

    /// <summary>A storage of the archive: <c>data/{Key}</c>, <see cref="Count"/> elements of <see cref="Type"/> (<c>FloatStorage</c>, …).</summary>
    internal sealed record TorchStorage(string Type, string Key, long Count);

    /// <summary>A strided view of a storage, as <c>_rebuild_tensor_v2</c> describes it.</summary>
    internal sealed record TorchTensor(TorchStorage Storage, long Offset, long[] Size, long[] Stride);
}
