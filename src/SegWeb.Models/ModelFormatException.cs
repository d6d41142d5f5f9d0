using SegWeb.Imaging;

namespace SegWeb.Models;

/// <summary>
/// A model input (results folder, zip, plans.json, dataset.json, checkpoint, package) that SegWeb cannot use:
/// missing, corrupt, hostile or describing something SegWeb does not support. The message names the file.
/// </summary>
public class ModelFormatException : ImageFormatException
{
    public ModelFormatException()
    {
    }

    public ModelFormatException(string message)
        : base(message)
    {
    }

    public ModelFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ModelFormatException(string filePath, string problem, Exception? innerException = null)
        : base(filePath, problem, innerException)
    {
    }
}

/// <summary>A PyTorch checkpoint that is truncated, corrupt, of an unsupported layout, or asks the unpickler for a forbidden global.</summary>
public class CheckpointFormatException : ModelFormatException
{
    public CheckpointFormatException()
    {
    }

    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    public CheckpointFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public CheckpointFormatException(string filePath, string problem, Exception? innerException = null)
        : base(filePath, problem, innerException)
    {
    }
}

/// <summary>A network class (or building block) that SegWeb cannot convert to ONNX; the message carries the class name.</summary>
public class UnsupportedArchitectureException : ModelFormatException
{
    public UnsupportedArchitectureException()
    {
    }

    public UnsupportedArchitectureException(string message)
        : base(message)
    {
    }

    public UnsupportedArchitectureException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public UnsupportedArchitectureException(string filePath, string problem, Exception? innerException = null)
        : base(filePath, problem, innerException)
    {
    }
}
