using System.Numerics;
using SegWeb.Imaging.Geometry;

namespace SegWeb.Imaging.Volumes;

/// <summary>A volume whose voxels are stored as <typeparamref name="T"/> in one array, X fastest.</summary>
public sealed class Volume<T> : Volume
    where T : unmanaged, INumber<T>
{
    public Volume(VolumeShape shape, Affine affine, T[] data, double slope = 1, double intercept = 0)
        : base(shape, affine, slope, intercept)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != shape.VoxelCount)
        {
            throw new ArgumentException($"The data has {data.LongLength} voxels but the shape {shape} needs {shape.VoxelCount}.", nameof(data));
        }

        Data = data;
    }

    /// <summary>A zero-filled volume.</summary>
    public static Volume<T> Zeros(VolumeShape shape, Affine affine)
    {
        if (shape.VoxelCount > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, $"A volume holds at most {Array.MaxLength} voxels.");
        }

        return new Volume<T>(shape, affine, new T[shape.VoxelCount]);
    }

    /// <summary>The voxels, X fastest: index = x + X·(y + Y·z).</summary>
    public T[] Data { get; }

    public override VoxelType VoxelType => VoxelTypes.Of<T>();

    public override Array RawData => Data;

    public T this[int x, int y, int z]
    {
        get => Data[Shape.IndexOf(x, y, z)];
        set => Data[Shape.IndexOf(x, y, z)] = value;
    }

    /// <summary>The voxels of one Z slice.</summary>
    public Span<T> Slice(int z) => Data.AsSpan(z * Shape.SliceSize, Shape.SliceSize);

    public override double GetValue(long index) => (double.CreateTruncating(Data[index]) * Slope) + Intercept;

    public override Volume WithAffine(Affine affine) => new Volume<T>(Shape, affine, Data, Slope, Intercept);

    public override Volume<float> ToFloat32()
    {
        var result = new float[Data.Length];
        if (!IsScaled && typeof(T) == typeof(float))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(Data.AsSpan()).CopyTo(result);
            return new Volume<float>(Shape, Affine, result);
        }

        double slope = Slope, intercept = Intercept;
        Parallel.For(0, Shape.Z, z =>
        {
            int start = z * Shape.SliceSize;
            for (int i = start; i < start + Shape.SliceSize; i++)
            {
                result[i] = (float)((double.CreateTruncating(Data[i]) * slope) + intercept);
            }
        });
        return new Volume<float>(Shape, Affine, result);
    }
}
