namespace SegWeb.Server.Tests;

internal sealed record InputDto(Guid Id, string State, string? Name, int Files, long Bytes, DateTime CreatedAt, DateTime ExpiresAt, DescriptionDto? Description);

internal sealed record DescriptionDto(string Format, string? Modality, long[]? Shape, double[]? Spacing, string? DataType, SeriesDto[] Series, string[] Warnings);

internal sealed record SeriesDto(string Key, string? SeriesInstanceUid, string? Modality, int Instances, int Frames, int Rows, int Columns);

internal sealed record ProblemDto(int? Status, string? Title, string? Detail);

internal sealed record JobDto(Guid Id, Guid InputId, string State, string? Stage, double Progress, string? Error);
