using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>Dice between two label maps on the same grid.</summary>
internal static class LabelOverlap
{
    /// <summary>Dice of (a == labelA) and (b == labelB); NaN when both are empty.</summary>
    public static double Dice(Volume a, int labelA, Volume b, int labelB)
    {
        Assert.Equal(a.Shape, b.Shape);
        long inA = 0, inB = 0, both = 0;
        for (long i = 0; i < a.Shape.VoxelCount; i++)
        {
            bool x = (int)a.GetValue(i) == labelA, y = (int)b.GetValue(i) == labelB;
            inA += x ? 1 : 0;
            inB += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }

        return inA + inB == 0 ? double.NaN : 2.0 * both / (inA + inB);
    }
}
