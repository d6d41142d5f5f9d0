using System.Text.Json;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Inputs;

/// <summary>An input as the API returns it.</summary>
public sealed record InputView(
    Guid Id,
    string State,
    string? Name,
    int Files,
    long Bytes,
    DateTime CreatedAt,
    DateTime ExpiresAt,
    InputDescription? Description)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static InputView From(InputRecord r) => new(
        r.Id,
        r.State == InputState.Open ? "open" : "ready",
        r.Name,
        r.FileCount,
        r.TotalBytes,
        DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc),
        DateTime.SpecifyKind(r.ExpiresAt, DateTimeKind.Utc),
        r.DescriptionJson is null ? null : JsonSerializer.Deserialize<InputDescription>(r.DescriptionJson, Json));
}
