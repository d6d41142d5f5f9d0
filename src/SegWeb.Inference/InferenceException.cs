using SegWeb.Imaging;

namespace SegWeb.Inference;

/// <summary>A segmentation request SegWeb refuses or cannot complete (bad input for a model, no memory for it, a missing execution provider).</summary>
public class InferenceException : SegWebException
{
    public InferenceException(string message)
        : base(message)
    {
    }

    public InferenceException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public InferenceException()
    {
    }
}
