using Microsoft.Extensions.Options;
using SegWeb.Imaging;
using SegWeb.Inference;
using SegWeb.Inference.Runtime;
using SegWeb.Models.Packages;

namespace SegWeb.Server.Segmentation;

/// <summary>The <c>SegWeb:Segmentation</c> settings: which model package the server's jobs run, and where.</summary>
public sealed class SegmentationOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "SegWeb:Segmentation";

    /// <summary>
    /// A model package folder (the one <c>segweb models import/install</c> writes, with model.json). Empty: no
    /// pipeline is registered and job creation answers 503.
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>Execution provider: cpu, cuda, tensorrt or auto (GPU if it starts, else CPU with a job warning).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>GPU ordinal for cuda/tensorrt.</summary>
    public int DeviceId { get; set; }

    /// <summary>ONNX Runtime intra-op threads (0: ONNX Runtime's default).</summary>
    public int Threads { get; set; }

    /// <summary>Mirroring test-time augmentation (off by default, as TotalSegmentator).</summary>
    public bool Mirroring { get; set; }

    /// <summary>Sliding-window step as a fraction of the patch; null: the model's own.</summary>
    public double? StepSize { get; set; }
}

/// <summary>Checks the settings at start, so a wrong model path stops the server instead of failing every job.</summary>
internal sealed class SegmentationOptionsValidator : IValidateOptions<SegmentationOptions>
{
    public ValidateOptionsResult Validate(string? name, SegmentationOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        try
        {
            // Load reads model.json and checks every listed file exists: the cheap half of what the first job needs.
            ModelPackage.Load(options.ModelPath);
        }
        catch (SegWebException ex)
        {
            failures.Add($"{SegmentationOptions.Section}:ModelPath: {ex.Message}");
        }

        try
        {
            InferenceRuntimeOptions.ParseProvider(options.Device);
        }
        catch (InferenceException ex)
        {
            failures.Add($"{SegmentationOptions.Section}:Device: {ex.Message}");
        }

        if (options.DeviceId < 0 || options.Threads < 0)
        {
            failures.Add($"{SegmentationOptions.Section}: DeviceId and Threads must not be negative");
        }

        if (options.StepSize is double step && !(step > 0 && step <= 1))
        {
            failures.Add($"{SegmentationOptions.Section}:StepSize {step} is outside (0, 1]");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
