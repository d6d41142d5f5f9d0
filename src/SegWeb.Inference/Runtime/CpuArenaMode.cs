namespace SegWeb.Inference.Runtime;

/// <summary>How ONNX Runtime's CPU provider allocates the network's activations (see docs/inference.md for figures).</summary>
public enum CpuArenaMode
{
    /// <summary>
    /// ONNX Runtime's default arena: chunks are kept for reuse and the arena extends by powers of two, so it can
    /// reserve up to about twice the largest working set of one forward pass and never gives it back.
    /// </summary>
    Grow,

    /// <summary>
    /// One arena shared by every session of the process (registered with the ONNX Runtime environment), extending
    /// by exactly what is requested (<c>kSameAsRequested</c>): reuse without the power-of-two overshoot.
    /// </summary>
    SameAsRequested,

    /// <summary>No arena: every tensor is a plain allocation, freed when the forward pass no longer needs it.</summary>
    Off,
}
