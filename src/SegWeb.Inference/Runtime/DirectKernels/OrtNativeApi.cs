using System.Runtime.InteropServices;
using System.Text;

namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// The few functions of ONNX Runtime's C API (struct OrtApi) that a custom operator needs and that the C# package does
/// not wrap. OrtApi is a table of function pointers that ONNX Runtime only ever appends to, so an entry's index is the
/// same in every later version; the indices below are offsetof(OrtApi, name) / sizeof(void*) in the
/// onnxruntime_c_api.h shipped with Microsoft.ML.OnnxRuntime 1.31.1 (build/native/include), computed with gcc.
/// </summary>
internal static unsafe partial class OrtNativeApi
{
    /// <summary>The OrtApi version requested: 17 is the first with KernelContext_ParallelFor.</summary>
    private const uint ApiVersion = 17;

    private const int CreateStatusIndex = 0;
    private const int GetErrorMessageIndex = 2;
    private const int CreateCustomOpDomainIndex = 26;
    private const int CustomOpDomainAddIndex = 27;
    private const int AddCustomOpDomainIndex = 28;
    private const int GetTensorMutableDataIndex = 51;
    private const int CreateTensorTypeAndShapeInfoIndex = 57;
    private const int SetTensorElementTypeIndex = 58;
    private const int SetDimensionsIndex = 59;
    private const int GetTensorElementTypeIndex = 60;
    private const int GetDimensionsCountIndex = 61;
    private const int GetDimensionsIndex = 62;
    private const int GetSymbolicDimensionsIndex = 63;
    private const int GetTensorTypeAndShapeIndex = 65;
    private const int KernelInfoGetAttributeFloatIndex = 85;
    private const int KernelContextGetInputCountIndex = 88;
    private const int KernelContextGetInputIndex = 90;
    private const int KernelContextGetOutputIndex = 91;
    private const int ReleaseStatusIndex = 93;
    private const int ReleaseTensorTypeAndShapeInfoIndex = 99;
    private const int ShapeInferContextGetInputTypeShapeIndex = 268;
    private const int ShapeInferContextSetOutputTypeShapeIndex = 270;
    private const int SetSymbolicDimensionsIndex = 271;
    private const int KernelContextParallelForIndex = 274;

    /// <summary>ONNXTensorElementDataType FLOAT.</summary>
    public const int ElementFloat = 1;

    /// <summary>OrtErrorCode ORT_RUNTIME_EXCEPTION.</summary>
    private const int RuntimeException = 6;

    private static readonly Lazy<nint> Api = new(() =>
    {
        var baseApi = (nint*)OrtGetApiBase();
        var getApi = (delegate* unmanaged<uint, nint>)baseApi[0];
        nint api = getApi(ApiVersion);
        return api != 0 ? api : throw new InferenceException($"this ONNX Runtime does not offer C API version {ApiVersion}");
    });

    private static nint Function(int index) => ((nint*)Api.Value)[index];

    /// <summary>Creates a custom operator domain (kept for the life of the process: sessions hold pointers into it).</summary>
    public static nint CreateCustomOpDomain(string domain)
    {
        var name = Utf8(domain);
        try
        {
            nint result;
            Check(((delegate* unmanaged<byte*, nint*, nint>)Function(CreateCustomOpDomainIndex))((byte*)name, &result));
            return result;
        }
        finally
        {
            Marshal.FreeHGlobal(name); // ONNX Runtime keeps its own copy of the name
        }
    }

    public static void CustomOpDomainAdd(nint domain, void* op) =>
        Check(((delegate* unmanaged<nint, void*, nint>)Function(CustomOpDomainAddIndex))(domain, op));

    public static void AddCustomOpDomain(nint sessionOptions, nint domain) =>
        Check(((delegate* unmanaged<nint, nint, nint>)Function(AddCustomOpDomainIndex))(sessionOptions, domain));

    public static int KernelInputCount(nint context)
    {
        nuint count;
        Check(((delegate* unmanaged<nint, nuint*, nint>)Function(KernelContextGetInputCountIndex))(context, &count));
        return (int)count;
    }

    public static nint KernelInput(nint context, int index)
    {
        nint value;
        Check(((delegate* unmanaged<nint, nuint, nint*, nint>)Function(KernelContextGetInputIndex))(context, (nuint)index, &value));
        return value;
    }

    public static nint KernelOutput(nint context, int index, ReadOnlySpan<long> dims)
    {
        nint value;
        fixed (long* d = dims)
        {
            Check(((delegate* unmanaged<nint, nuint, long*, nuint, nint*, nint>)Function(KernelContextGetOutputIndex))(context, (nuint)index, d, (nuint)dims.Length, &value));
        }

        return value;
    }

    public static float* FloatData(nint value)
    {
        void* data;
        Check(((delegate* unmanaged<nint, void**, nint>)Function(GetTensorMutableDataIndex))(value, &data));
        return (float*)data;
    }

    /// <summary>A tensor's element type and dimensions.</summary>
    public static long[] Dimensions(nint value, out int elementType)
    {
        nint info;
        Check(((delegate* unmanaged<nint, nint*, nint>)Function(GetTensorTypeAndShapeIndex))(value, &info));
        try
        {
            return InfoDimensions(info, out elementType);
        }
        finally
        {
            ((delegate* unmanaged<nint, void>)Function(ReleaseTensorTypeAndShapeInfoIndex))(info);
        }
    }

    /// <summary>The element type and dimensions held by an OrtTensorTypeAndShapeInfo (not released here).</summary>
    private static long[] InfoDimensions(nint info, out int elementType)
    {
        int type;
        Check(((delegate* unmanaged<nint, int*, nint>)Function(GetTensorElementTypeIndex))(info, &type));
        nuint count;
        Check(((delegate* unmanaged<nint, nuint*, nint>)Function(GetDimensionsCountIndex))(info, &count));
        var dims = new long[(int)count];
        fixed (long* d = dims)
        {
            Check(((delegate* unmanaged<nint, long*, nuint, nint>)Function(GetDimensionsIndex))(info, d, count));
        }

        elementType = type;
        return dims;
    }

    /// <summary>A float attribute of the node (OrtKernelInfo), or <paramref name="fallback"/> when the node has none.</summary>
    public static float FloatAttribute(nint info, string name, float fallback)
    {
        var text = Utf8(name);
        try
        {
            float value;
            nint status = ((delegate* unmanaged<nint, byte*, float*, nint>)Function(KernelInfoGetAttributeFloatIndex))(info, (byte*)text, &value);
            if (status != 0)
            {
                ((delegate* unmanaged<nint, void>)Function(ReleaseStatusIndex))(status);
                return fallback;
            }

            return value;
        }
        finally
        {
            Marshal.FreeHGlobal(text);
        }
    }

    /// <summary>
    /// Shape inference: the output is input 0's shape, names of symbolic dimensions kept. With
    /// <paramref name="channelsFromPackedWeights"/> &gt; 0, a convolution's: input 1 holds packed weights whose first
    /// dimension is output channels / that block, and the output has those channels. Spatial dimensions (from the
    /// third on) are mapped by <paramref name="spatialSize"/> when given; a named one then becomes unknown.
    /// </summary>
    public static void InferSameShape(nint context, int channelsFromPackedWeights, Func<long, long>? spatialSize = null)
    {
        nint input, output = 0;
        var invented = new List<nint>();
        try
        {
            Check(((delegate* unmanaged<nint, nuint, nint*, nint>)Function(ShapeInferContextGetInputTypeShapeIndex))(context, 0, &input));
            var dims = InfoDimensions(input, out _);
            if (dims.Length < 3)
            {
                throw new InferenceException($"input [{string.Join(", ", dims)}] has no channels and spatial dimensions");
            }

            var symbols = new nint[dims.Length];
            fixed (nint* s = symbols)
            {
                Check(((delegate* unmanaged<nint, nint*, nuint, nint>)Function(GetSymbolicDimensionsIndex))(input, s, (nuint)dims.Length));
            }

            if (channelsFromPackedWeights > 0)
            {
                nint weights;
                Check(((delegate* unmanaged<nint, nuint, nint*, nint>)Function(ShapeInferContextGetInputTypeShapeIndex))(context, 1, &weights));
                var weightDims = InfoDimensions(weights, out _);
                if (weightDims.Length < 4 || weightDims[0] <= 0)
                {
                    throw new InferenceException($"packed weights [{string.Join(", ", weightDims)}] do not describe a packed 3D convolution");
                }

                dims[1] = weightDims[0] * channelsFromPackedWeights;
                symbols[1] = EmptyString;
            }

            for (int i = 2; i < dims.Length && spatialSize is not null; i++)
            {
                dims[i] = dims[i] < 0 ? -1 : spatialSize(dims[i]);
                symbols[i] = EmptyString;
            }

            for (int i = 0; i < dims.Length; i++)
            {
                // A dimension with neither value nor name comes in as -1 and "", and would go back out as the value -1
                // (ONNX Runtime writes dim_value for every unnamed dimension), which the next strided convolution turns
                // into 0. A fresh name keeps it unknown, as ONNX Runtime's own symbolic inference does ("unk__N").
                if (dims[i] < 0 && Marshal.PtrToStringUTF8(symbols[i]) is not { Length: > 0 })
                {
                    symbols[i] = Utf8($"unk__segweb_{Interlocked.Increment(ref _unknownDimensions)}");
                    invented.Add(symbols[i]);
                }
            }

            Check(((delegate* unmanaged<nint*, nint>)Function(CreateTensorTypeAndShapeInfoIndex))(&output));
            Check(((delegate* unmanaged<nint, int, nint>)Function(SetTensorElementTypeIndex))(output, ElementFloat));
            fixed (long* d = dims)
            fixed (nint* s = symbols)
            {
                Check(((delegate* unmanaged<nint, long*, nuint, nint>)Function(SetDimensionsIndex))(output, d, (nuint)dims.Length));
                Check(((delegate* unmanaged<nint, nint*, nuint, nint>)Function(SetSymbolicDimensionsIndex))(output, s, (nuint)dims.Length));
            }

            Check(((delegate* unmanaged<nint, nuint, nint, nint>)Function(ShapeInferContextSetOutputTypeShapeIndex))(context, 0, output));
        }
        finally
        {
            invented.ForEach(Marshal.FreeHGlobal); // ONNX Runtime copied the names into its own shape
            // Only the info created here: the inputs' belong to the context (ONNX Runtime's custom_ops.cc keeps them in
            // unique_ptrs; releasing them was a double free).
            if (output != 0)
            {
                ((delegate* unmanaged<nint, void>)Function(ReleaseTensorTypeAndShapeInfoIndex))(output);
            }
        }
    }

    private static readonly nint EmptyString = Utf8(string.Empty);
    private static long _unknownDimensions;

    /// <summary>Runs fn(data, i) for i in [0, total) on the session's intra-op thread pool.</summary>
    public static void ParallelFor(nint context, delegate* unmanaged<void*, nuint, void> fn, long total, void* data) =>
        Check(((delegate* unmanaged<nint, delegate* unmanaged<void*, nuint, void>, nuint, nuint, void*, nint>)Function(KernelContextParallelForIndex))(context, fn, (nuint)total, 0, data));

    /// <summary>An OrtStatus carrying <paramref name="message"/>, to hand an error back to ONNX Runtime.</summary>
    public static nint CreateStatus(string message)
    {
        var text = Utf8(message);
        try
        {
            return ((delegate* unmanaged<int, byte*, nint>)Function(CreateStatusIndex))(RuntimeException, (byte*)text);
        }
        finally
        {
            Marshal.FreeHGlobal(text);
        }
    }

    /// <summary>A NUL-terminated UTF-8 copy in unmanaged memory (the caller frees it, or keeps it for the process).</summary>
    public static nint Utf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        nint memory = Marshal.AllocHGlobal(bytes.Length + 1);
        Marshal.Copy(bytes, 0, memory, bytes.Length);
        ((byte*)memory)[bytes.Length] = 0;
        return memory;
    }

    private static void Check(nint status)
    {
        if (status == 0)
        {
            return;
        }

        string message = Marshal.PtrToStringUTF8(((delegate* unmanaged<nint, nint>)Function(GetErrorMessageIndex))(status)) ?? "unknown error";
        ((delegate* unmanaged<nint, void>)Function(ReleaseStatusIndex))(status);
        throw new InferenceException($"ONNX Runtime: {message}");
    }

    [LibraryImport("onnxruntime")]
    private static partial nint OrtGetApiBase();
}
