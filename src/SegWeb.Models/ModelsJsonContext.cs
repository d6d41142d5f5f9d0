using System.Text.Json.Serialization;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;

namespace SegWeb.Models;

/// <summary>
/// Compile-time JSON metadata for the two documents every `segweb segment` reads before its first stage: the package
/// manifest and the task catalogue. Reflection-built metadata for them cost 50–80 ms of each command's start. It serves
/// as the first resolver of <see cref="ModelManifest.JsonOptions"/> and <see cref="TaskCatalog.JsonOptions"/>, whose
/// settings still apply; other types serialised with those options fall back to reflection.
/// </summary>
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(TaskCatalogDocument))]
internal sealed partial class ModelsJsonContext : JsonSerializerContext;
