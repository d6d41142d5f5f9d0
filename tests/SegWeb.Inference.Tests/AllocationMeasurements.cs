namespace SegWeb.Inference.Tests;

/// <summary>Tests that measure process-wide allocation run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Allocation measurements";
}
