using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using SegWeb.Models.Onnx;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// SegWeb's ONNX Runtime custom-operator domain, <see cref="CpuOperatorRewrite.Domain"/>: the CPU kernels the network
/// rewrite (<see cref="CpuOperatorRewrite"/>) routes nodes to, so the network still runs in ONNX Runtime and only those
/// nodes use SegWeb's code. Registered through the C API's OrtCustomOp (C# has no wrapper for managed kernels): one
/// struct per operator, with static callbacks that find the managed operator through a GC handle stored after the
/// struct's fields. The domain, the structs and the operators live for the process.
/// </summary>
internal static unsafe class SegWebOperators
{
    /// <summary>OrtCustomOp's fields in onnxruntime_c_api.h (1.31.1): a version, then 25 function pointers.</summary>
    private const int FunctionCount = 25;

    /// <summary>Slot after the struct's fields holding the GC handle of the <see cref="CustomOperator"/>.</summary>
    private const int OperatorSlot = FunctionCount + 1;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, nint> Names = [];
    private static nint _domain;

    /// <summary>The operators of the domain.</summary>
    public static IReadOnlyList<CustomOperator> Operators { get; } = [new DirectConvOperator(), new DirectConvTransposeOperator(), new InstanceNormLeakyReluOperator()];

    /// <summary>Whether this CPU can run every operator (they use AVX-512F).</summary>
    public static bool IsSupported => DirectConv3x3x3.IsSupported;

    /// <summary>Adds the domain to <paramref name="options"/> (the domain itself is created once per process).</summary>
    public static void Register(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsSupported)
        {
            throw new InferenceException("SegWeb's CPU kernels need AVX-512F, which this CPU lacks");
        }

        lock (Gate)
        {
            if (_domain == 0)
            {
                var domain = OrtNativeApi.CreateCustomOpDomain(CpuOperatorRewrite.Domain);
                foreach (var op in Operators)
                {
                    Names[op.Name] = OrtNativeApi.Utf8(op.Name);
                    OrtNativeApi.CustomOpDomainAdd(domain, CreateOp(op));
                }

                _domain = domain;
            }
        }

        OrtNativeApi.AddCustomOpDomain(options.DangerousGetHandle(), _domain);
    }

    private static void* CreateOp(CustomOperator op)
    {
        var s = (nint*)NativeMemory.AllocZeroed((nuint)(sizeof(nint) * (OperatorSlot + 1)));
        *(uint*)s = 31; // ORT_API_VERSION of the header the layout comes from
        nint* f = s + 1;
        f[0] = (nint)(delegate* unmanaged<void*, void*, void*, void*>)&CreateKernel;
        f[1] = (nint)(delegate* unmanaged<void*, nint>)&GetName;
        f[2] = (nint)(delegate* unmanaged<void*, nint>)&GetExecutionProviderType;
        f[3] = (nint)(delegate* unmanaged<void*, nuint, int>)&GetTensorType;
        f[4] = (nint)(delegate* unmanaged<void*, nuint>)&GetInputTypeCount;
        f[5] = (nint)(delegate* unmanaged<void*, nuint, int>)&GetTensorType;
        f[6] = (nint)(delegate* unmanaged<void*, nuint>)&GetOutputTypeCount;
        f[7] = (nint)(delegate* unmanaged<void*, nint, void>)&KernelCompute;
        f[8] = (nint)(delegate* unmanaged<void*, void>)&KernelDestroy;
        f[9] = (nint)(delegate* unmanaged<void*, nuint, int>)&GetInputCharacteristic;
        f[10] = (nint)(delegate* unmanaged<void*, nuint, int>)&GetOutputCharacteristic;
        f[11] = (nint)(delegate* unmanaged<void*, nuint, int>)&GetInputMemoryType;
        f[12] = (nint)(delegate* unmanaged<void*, int>)&One; // variadic input min arity (no variadic inputs)
        f[13] = (nint)(delegate* unmanaged<void*, int>)&One; // variadic input homogeneity
        f[14] = (nint)(delegate* unmanaged<void*, int>)&One; // variadic output min arity
        f[15] = (nint)(delegate* unmanaged<void*, int>)&One; // variadic output homogeneity
        f[16] = (nint)(delegate* unmanaged<void*, void*, void*, void**, nint>)&CreateKernelV2;
        f[17] = (nint)(delegate* unmanaged<void*, nint, nint>)&KernelComputeV2;
        f[18] = (nint)(delegate* unmanaged<void*, nint, nint>)&InferOutputShape;
        f[19] = (nint)(delegate* unmanaged<void*, int>)&One; // start version
        f[20] = (nint)(delegate* unmanaged<void*, int>)&EndVersion;
        f[21] = (nint)(delegate* unmanaged<int**, int**, nuint>)&NoPairs; // GetMayInplace
        f[22] = (nint)(delegate* unmanaged<int*, int*, void>)&ReleasePairs;
        f[23] = (nint)(delegate* unmanaged<int**, int**, nuint>)&NoPairs; // GetAliasMap
        f[24] = (nint)(delegate* unmanaged<int*, int*, void>)&ReleasePairs;
        s[OperatorSlot] = GCHandle.ToIntPtr(GCHandle.Alloc(op));
        return s;
    }

    private static CustomOperator Operator(void* op) => (CustomOperator)GCHandle.FromIntPtr(((nint*)op)[OperatorSlot]).Target!;

    [UnmanagedCallersOnly]
    private static nint GetName(void* op)
    {
        lock (Gate)
        {
            return Names[Operator(op).Name];
        }
    }

    [UnmanagedCallersOnly]
    private static nint GetExecutionProviderType(void* op) => 0; // null: the CPU provider

    [UnmanagedCallersOnly]
    private static int GetTensorType(void* op, nuint index) => OrtNativeApi.ElementFloat;

    [UnmanagedCallersOnly]
    private static nuint GetInputTypeCount(void* op) => (nuint)Operator(op).InputCount;

    [UnmanagedCallersOnly]
    private static nuint GetOutputTypeCount(void* op) => 1;

    // OrtCustomOpInputOutputCharacteristic: 0 required, 1 optional.
    [UnmanagedCallersOnly]
    private static int GetInputCharacteristic(void* op, nuint index) => Operator(op).IsOptionalInput((int)index) ? 1 : 0;

    [UnmanagedCallersOnly]
    private static int GetOutputCharacteristic(void* op, nuint index) => 0;

    [UnmanagedCallersOnly]
    private static int GetInputMemoryType(void* op, nuint index) => 0; // OrtMemTypeDefault

    [UnmanagedCallersOnly]
    private static int One(void* op) => 1;

    [UnmanagedCallersOnly]
    private static int EndVersion(void* op) => int.MaxValue;

    [UnmanagedCallersOnly]
    private static nuint NoPairs(int** inputIndex, int** outputIndex)
    {
        *inputIndex = null;
        *outputIndex = null;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void ReleasePairs(int* inputIndex, int* outputIndex)
    {
    }

    // The V1 callbacks (CreateKernel, KernelCompute) cannot report an error; ONNX Runtime calls the V2 ones for this
    // struct's version, and the V1 ones only exist because the struct has their slots.
    [UnmanagedCallersOnly]
    private static void* CreateKernel(void* op, void* api, void* info) => (void*)NewKernel(Operator(op), (nint)info);

    [UnmanagedCallersOnly]
    private static nint CreateKernelV2(void* op, void* api, void* info, void** kernel)
    {
        var owner = Operator(op);
        nint created = 0;
        nint status = Guard(owner, () => created = NewKernel(owner, (nint)info));
        *kernel = (void*)created;
        return status;
    }

    [UnmanagedCallersOnly]
    private static void KernelDestroy(void* kernel) => GCHandle.FromIntPtr((nint)kernel).Free();

    [UnmanagedCallersOnly]
    private static void KernelCompute(void* kernel, nint context) => Kernel(kernel).Kernel.Compute(context);

    [UnmanagedCallersOnly]
    private static nint KernelComputeV2(void* kernel, nint context)
    {
        var handle = Kernel(kernel);
        return Guard(handle.Operator, () => handle.Kernel.Compute(context));
    }

    [UnmanagedCallersOnly]
    private static nint InferOutputShape(void* op, nint context) => Guard(Operator(op), () => Operator(op).InferShape(context));

    /// <summary>A GC handle to the node's kernel and its operator (whose name error messages carry).</summary>
    private static nint NewKernel(CustomOperator op, nint info) => GCHandle.ToIntPtr(GCHandle.Alloc(new KernelHandle(op, op.CreateKernel(info))));

    private static KernelHandle Kernel(void* kernel) => (KernelHandle)GCHandle.FromIntPtr((nint)kernel).Target!;

    private static nint Guard(CustomOperator op, Action action)
    {
        try
        {
            action();
            return 0;
        }
#pragma warning disable CA1031 // An exception must not cross into native code: it becomes ONNX Runtime's error status.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return OrtNativeApi.CreateStatus($"{CpuOperatorRewrite.Domain}:{op.Name}: {ex.Message}");
        }
    }

    private sealed record KernelHandle(CustomOperator Operator, CustomKernel Kernel);
}
