using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Segmentation;

/// <summary>Registers the real segmentation pipeline for the server's jobs.</summary>
public static class SegmentationServices
{
    /// <summary>
    /// Registers <see cref="PipelineSegmentationRunner"/> as the <see cref="ISegmentationRunner"/> only when
    /// <c>SegWeb:Segmentation:ModelPath</c> is set: without a model the server honestly answers 503 to job creation.
    /// The settings are validated at start (the package must load).
    /// </summary>
    public static IServiceCollection AddSegWebSegmentation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SegmentationOptions>().BindConfiguration(SegmentationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SegmentationOptions>, SegmentationOptionsValidator>();
        if (!string.IsNullOrWhiteSpace(configuration[$"{SegmentationOptions.Section}:{nameof(SegmentationOptions.ModelPath)}"]))
        {
            services.TryAddSingleton<IJobPreviewRenderer, SkiaJobPreviewRenderer>();
            services.AddSingleton<PipelineSegmentationRunner>();
            services.AddSingleton<ISegmentationRunner>(sp => sp.GetRequiredService<PipelineSegmentationRunner>());
        }

        return services;
    }
}
