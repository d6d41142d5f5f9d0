namespace SegWeb.Imaging.Resampling;

/// <summary>A resampling request that cannot be honoured (zero, negative or NaN spacing, an absurd output size).</summary>
public class ResamplingException : SegWebException
{
    public ResamplingException()
    {
    }

    public ResamplingException(string message)
        : base(message)
    {
    }

    public ResamplingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
