using System.Globalization;

namespace SegWeb.Cli.Bench.Segment;

/// <summary>Figures about this process and machine that the segment benchmark prints beside its timings.</summary>
internal static class ProcessFigures
{
    /// <summary>Peak resident set of this process (VmHWM) in MiB; NaN where /proc is not available.</summary>
    public static double PeakRssMegabytes() => StatusField("VmHWM:");

    /// <summary>Current resident set (VmRSS) in MiB.</summary>
    public static double RssMegabytes() => StatusField("VmRSS:");

    /// <summary>The 1-minute load average (/proc/loadavg): on a shared machine wall times mean little without it.</summary>
    public static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    private static double StatusField(string name)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return double.NaN;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(name.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}
