using System.Numerics;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Preview;

/// <summary>
/// One view of the preview at voxel resolution, in display order (row 0 at the top, X fastest): the mean intensity
/// along the viewing direction (an X-ray-like projection) and the label seen first from the viewer.
/// </summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="MeanIntensity">Mean real intensity (slope and intercept applied) along the viewing direction, per pixel.</param>
/// <param name="Labels">The first non-zero label met from the viewer's side, 0 where the ray meets none.</param>
/// <param name="PixelWidthMm">Size of one column in mm.</param>
/// <param name="PixelHeightMm">Size of one row in mm.</param>
public sealed record PreviewView(int Width, int Height, double[] MeanIntensity, byte[] Labels, double PixelWidthMm, double PixelHeightMm);

/// <summary>
/// The two projections the preview shows, computed straight from the volumes in their stored orientation (no
/// reoriented copy): each voxel axis is mapped to its closest world axis (nibabel's io_orientation) and the views are
/// laid out in RAS+ world terms, so LPS, RAS, flipped and oblique inputs give the same picture.
/// <list type="bullet">
/// <item>Coronal, seen from the front (radiological convention): patient's right on the image's left, head up;
/// the label shown is the most anterior one.</item>
/// <item>Sagittal, seen from the patient's right: anterior on the image's right, head up; the label shown is the
/// rightmost one.</item>
/// </list>
/// </summary>
public static class PreviewProjection
{
    /// <summary>Computes the coronal and sagittal views of <paramref name="image"/> with <paramref name="labels"/> (same grid).</summary>
    /// <exception cref="ArgumentException">The label map is not on the image's grid.</exception>
    public static (PreviewView Coronal, PreviewView Sagittal) Compute(Volume image, Volume<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        if (image.Shape != labels.Shape)
        {
            throw new ArgumentException($"labels {labels.Shape} are not on the image's grid {image.Shape}", nameof(labels));
        }

        var plan = Plan.For(image.Shape, image.Affine);
        return VolumeDispatch.Apply(image, new ProjectFunc(plan, labels.Data));
    }

    /// <summary>Where each voxel index lands in both views, as additive per-axis contributions (see <see cref="ProjectFunc"/>).</summary>
    private sealed class Plan
    {
        public required int[][] CoronalCell { get; init; }
        public required int[][] CoronalDepth { get; init; }
        public required int[][] SagittalCell { get; init; }
        public required int[][] SagittalDepth { get; init; }
        public required int R { get; init; }
        public required int A { get; init; }
        public required int S { get; init; }
        public required (double R, double A, double S) Spacing { get; init; }

        public static Plan For(VolumeShape shape, Affine affine)
        {
            var orientation = Orientation.FromAffine(affine);
            if (!orientation.IsComplete)
            {
                // A degenerate affine has no world directions; show the voxel axes as if they were RAS.
                orientation = AxisOrientation.Identity;
            }

            var world = new int[3];      // voxel axis of each world axis
            var spacing = new double[3];
            for (int v = 0; v < 3; v++)
            {
                world[orientation[v].Axis] = v;
                spacing[orientation[v].Axis] = affine.ColumnNorm(v);
            }

            int nr = shape[world[0]], na = shape[world[1]], ns = shape[world[2]];
            var plan = new Plan
            {
                CoronalCell = new int[3][], CoronalDepth = new int[3][], SagittalCell = new int[3][], SagittalDepth = new int[3][],
                R = nr, A = na, S = ns, Spacing = (spacing[0], spacing[1], spacing[2]),
            };
            for (int v = 0; v < 3; v++)
            {
                var (axis, flip) = (orientation[v].Axis, orientation[v].Flip);
                int n = shape[v];
                var cc = plan.CoronalCell[v] = new int[n];
                var cd = plan.CoronalDepth[v] = new int[n];
                var sc = plan.SagittalCell[v] = new int[n];
                var sd = plan.SagittalDepth[v] = new int[n];
                for (int i = 0; i < n; i++)
                {
                    int c = flip > 0 ? i : n - 1 - i; // index along the world axis, increasing towards R, A or S
                    switch (axis)
                    {
                        case 0: // R: coronal column from the patient's right; sagittal depth (rightmost wins)
                            cc[i] = nr - 1 - c;
                            sd[i] = c;
                            break;
                        case 1: // A: coronal depth (most anterior wins); sagittal column, anterior on the right
                            cd[i] = c;
                            sc[i] = c;
                            break;
                        default: // S: row from the top (head up) in both views
                            cc[i] = nr * (ns - 1 - c);
                            sc[i] = na * (ns - 1 - c);
                            break;
                    }
                }
            }

            return plan;
        }
    }

    private sealed class ProjectFunc(Plan plan, byte[] labels) : IVolumeFunc<(PreviewView, PreviewView)>
    {
        public (PreviewView, PreviewView) Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var shape = volume.Shape;
            var data = volume.Data;
            int corCells = plan.R * plan.S, sagCells = plan.A * plan.S;
            var corSum = new double[corCells];
            var sagSum = new double[sagCells];
            var corDepth = new int[corCells];
            var sagDepth = new int[sagCells];
            Array.Fill(corDepth, -1);
            Array.Fill(sagDepth, -1);
            var corLabel = new byte[corCells];
            var sagLabel = new byte[sagCells];
            var gate = new object();

            // Slabs of z run in parallel, one slab per core, each into its own small 2D accumulators (the views are
            // tiny next to the volume, and one set per slab bounds the extra memory), merged at the end: the sums add,
            // the label nearest the viewer wins.
            int slabs = Math.Max(1, Math.Min(Environment.ProcessorCount, shape.Z));
            Parallel.For(0, slabs, slab =>
            {
                var acc = new Accumulator(corCells, sagCells);
                int zEnd = (int)((long)(slab + 1) * shape.Z / slabs);
                for (int z = (int)((long)slab * shape.Z / slabs); z < zEnd; z++)
                {
                    Project(z, shape, data, acc);
                }

                lock (gate)
                {
                    Merge(acc.CorSum, acc.CorDepth, acc.CorLabel, corSum, corDepth, corLabel);
                    Merge(acc.SagSum, acc.SagDepth, acc.SagLabel, sagSum, sagDepth, sagLabel);
                }
            });

            // Every coronal ray crosses A voxels and every sagittal ray R voxels; scaling is linear, so apply it to the mean.
            ToMean(corSum, plan.A, volume.Slope, volume.Intercept);
            ToMean(sagSum, plan.R, volume.Slope, volume.Intercept);
            var (sr, sa, ss) = plan.Spacing;
            return (new PreviewView(plan.R, plan.S, corSum, corLabel, sr, ss), new PreviewView(plan.A, plan.S, sagSum, sagLabel, sa, ss));
        }

        private void Project<T>(int z, VolumeShape shape, T[] data, Accumulator acc)
            where T : unmanaged, INumber<T>
        {
            int czz = plan.CoronalCell[2][z], dzz = plan.CoronalDepth[2][z], szz = plan.SagittalCell[2][z], tzz = plan.SagittalDepth[2][z];
            var ccx = plan.CoronalCell[0];
            var cdx = plan.CoronalDepth[0];
            var scx = plan.SagittalCell[0];
            var sdx = plan.SagittalDepth[0];
            for (int y = 0; y < shape.Y; y++)
            {
                int cy = czz + plan.CoronalCell[1][y], dy = dzz + plan.CoronalDepth[1][y];
                int sy = szz + plan.SagittalCell[1][y], ty = tzz + plan.SagittalDepth[1][y];
                long row = shape.IndexOf(0, y, z);
                for (int x = 0; x < shape.X; x++)
                {
                    double value = double.CreateTruncating(data[row + x]);
                    int cc = cy + ccx[x], sc = sy + scx[x];
                    acc.CorSum[cc] += value;
                    acc.SagSum[sc] += value;
                    byte label = labels[row + x];
                    if (label != 0)
                    {
                        int cd = dy + cdx[x], sd = ty + sdx[x];
                        if (cd > acc.CorDepth[cc])
                        {
                            acc.CorDepth[cc] = cd;
                            acc.CorLabel[cc] = label;
                        }

                        if (sd > acc.SagDepth[sc])
                        {
                            acc.SagDepth[sc] = sd;
                            acc.SagLabel[sc] = label;
                        }
                    }
                }
            }
        }

        private static void Merge(double[] sum, int[] depth, byte[] label, double[] toSum, int[] toDepth, byte[] toLabel)
        {
            for (int i = 0; i < sum.Length; i++)
            {
                toSum[i] += sum[i];
                if (depth[i] > toDepth[i])
                {
                    toDepth[i] = depth[i];
                    toLabel[i] = label[i];
                }
            }
        }

        private static void ToMean(double[] sums, int count, double slope, double intercept)
        {
            for (int i = 0; i < sums.Length; i++)
            {
                sums[i] = (sums[i] / count * slope) + intercept;
            }
        }
    }

    private sealed class Accumulator
    {
        public Accumulator(int corCells, int sagCells)
        {
            CorSum = new double[corCells];
            SagSum = new double[sagCells];
            CorDepth = new int[corCells];
            SagDepth = new int[sagCells];
            Array.Fill(CorDepth, -1);
            Array.Fill(SagDepth, -1);
            CorLabel = new byte[corCells];
            SagLabel = new byte[sagCells];
        }

        public double[] CorSum { get; }
        public double[] SagSum { get; }
        public int[] CorDepth { get; }
        public int[] SagDepth { get; }
        public byte[] CorLabel { get; }
        public byte[] SagLabel { get; }
    }
}
