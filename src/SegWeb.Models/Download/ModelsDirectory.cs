using SegWeb.Models.Catalog;

namespace SegWeb.Models.Download;

/// <summary>Where installed models live, and whether a catalogue model is installed there.</summary>
public static class ModelsDirectory
{
    /// <summary>The environment variable that overrides the default models folder.</summary>
    public const string EnvironmentVariable = "SEGWEB_MODELS_DIR";

    /// <summary>
    /// The models folder: <paramref name="explicitDir"/> when given, else <c>$SEGWEB_MODELS_DIR</c>, else
    /// <c>~/.segweb/models</c>.
    /// </summary>
    public static string Resolve(string? explicitDir = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDir))
        {
            return Path.GetFullPath(explicitDir);
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".segweb", "models");
    }

    /// <summary>The folder a catalogue model is installed in (<c>{modelsDir}/{ModelName}</c>).</summary>
    public static string ModelFolder(string modelsDir, CatalogModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Path.Combine(modelsDir, model.ModelName);
    }

    /// <summary>True when the model's folder exists in the models folder.</summary>
    public static bool IsInstalled(string modelsDir, CatalogModel model) => Directory.Exists(ModelFolder(modelsDir, model));

    /// <summary>True when every model of the variant is installed.</summary>
    public static bool IsInstalled(string modelsDir, CatalogVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        return variant.Models.All(m => IsInstalled(modelsDir, m));
    }
}
