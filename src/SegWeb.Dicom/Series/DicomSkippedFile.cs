namespace SegWeb.Dicom.Series;

/// <summary>An input file (or zip entry) that holds no usable image, and why it was passed over.</summary>
public sealed record DicomSkippedFile(string Name, string Reason);
