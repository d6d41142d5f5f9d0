using SegWeb.Imaging.Geometry;

namespace SegWeb.Imaging.Tests;

public class AffineTests
{
    [Fact]
    public void Inverse_of_an_oblique_anisotropic_affine_gives_identity()
    {
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        var a = new Affine([0.8 * c, -0.8 * s, 0, -100, 0.8 * s, 0.8 * c, 0, 20, 0, 0, -2.5, 33, 0, 0, 0, 1]);
        var product = a.Multiply(a.Inverse());
        Assert.True(product.MaxAbsDifference(Affine.Identity) < 1e-12, product.ToString());
        Assert.Equal(0.8, a.Spacing.X, 12);
        Assert.Equal(2.5, a.Spacing.Z, 12);
    }

    [Fact]
    public void Singular_affine_has_no_inverse()
    {
        var a = new Affine([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        Assert.Throws<InvalidOperationException>(() => a.Inverse());
    }
}
