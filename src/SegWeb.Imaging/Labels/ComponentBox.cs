namespace SegWeb.Imaging.Labels;

/// <summary>The inclusive voxel bounding box of a component: every voxel has Min ≤ index ≤ Max on each axis.</summary>
public readonly record struct ComponentBox(int MinX, int MinY, int MinZ, int MaxX, int MaxY, int MaxZ);
