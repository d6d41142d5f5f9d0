namespace SegWeb.Inference.Runtime.DirectKernels;

/// <summary>
/// One operator of SegWeb's ONNX Runtime custom-operator domain (<see cref="SegWebOperators"/>): its schema (float32
/// inputs and one float32 output), its kernels and its shape inference. Contract: every member may be called from
/// ONNX Runtime's threads, concurrently, and must not throw except to report an error (the domain turns exceptions
/// into ONNX Runtime error statuses).
/// </summary>
internal abstract class CustomOperator
{
    /// <summary>The operator's name in <see cref="Models.Onnx.CpuOperatorRewrite.Domain"/>.</summary>
    public abstract string Name { get; }

    /// <summary>Number of inputs, optional ones included.</summary>
    public abstract int InputCount { get; }

    /// <summary>Whether input <paramref name="index"/> may be missing.</summary>
    public virtual bool IsOptionalInput(int index) => false;

    /// <summary>The kernel of one node; <paramref name="info"/> is the node's OrtKernelInfo (attributes), valid during the call.</summary>
    public abstract CustomKernel CreateKernel(nint info);

    /// <summary>Sets output 0's type and shape from the inputs' (OrtShapeInferContext).</summary>
    public abstract void InferShape(nint context);
}

/// <summary>One node's kernel: runs the node on an OrtKernelContext.</summary>
internal abstract class CustomKernel
{
    public abstract void Compute(nint context);
}
