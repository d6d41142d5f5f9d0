using System.Numerics;

namespace SegWeb.Imaging.Volumes;

/// <summary>
/// Code that must handle a volume of any voxel type implements this once, generically; <see cref="VolumeDispatch"/>
/// calls it with the concrete <c>T</c>, so loops run on <c>T[]</c> with no boxing and no per-voxel switch.
/// </summary>
public interface IVolumeFunc<out TResult>
{
    TResult Invoke<T>(Volume<T> volume)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>;
}

public static class VolumeDispatch
{
    /// <summary>Calls <paramref name="func"/> with the volume's concrete voxel type.</summary>
    public static TResult Apply<TResult>(Volume volume, IVolumeFunc<TResult> func)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(func);
        return volume switch
        {
            Volume<byte> v => func.Invoke(v),
            Volume<sbyte> v => func.Invoke(v),
            Volume<short> v => func.Invoke(v),
            Volume<ushort> v => func.Invoke(v),
            Volume<int> v => func.Invoke(v),
            Volume<uint> v => func.Invoke(v),
            Volume<long> v => func.Invoke(v),
            Volume<ulong> v => func.Invoke(v),
            Volume<float> v => func.Invoke(v),
            Volume<double> v => func.Invoke(v),
            _ => throw new NotSupportedException($"Voxel type {volume.VoxelType} is not supported."),
        };
    }
}
