using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using SegWeb.Models.Catalog;

namespace SegWeb.Models.Tests.Download;

/// <summary>
/// A small nnU-Net-shaped results zip built by the test (dataset folder / trainer__plans__configuration /
/// plans.json and fold_0/checkpoint_final.pth), with the SHA-256 of its files and of itself.
/// </summary>
internal sealed class TestModelZip
{
    public const string ResultsFolder = "nnUNetTrainer_4000epochs_NoMirroring__nnUNetPlans__3d_fullres";

    public TestModelZip(string datasetFolder = "Dataset997_Test", int checkpointBytes = 400_000, int seed = 1)
    {
        DatasetFolder = datasetFolder;
        var checkpoint = new byte[checkpointBytes];
        new Random(seed).NextBytes(checkpoint); // incompressible: the zip is about as big as the checkpoint
        var plans = Encoding.UTF8.GetBytes($$"""{"dataset_name": "{{datasetFolder}}", "plans_name": "nnUNetPlans", "seed": {{seed}}}""");
        CheckpointSha256 = Convert.ToHexStringLower(SHA256.HashData(checkpoint));
        PlansSha256 = Convert.ToHexStringLower(SHA256.HashData(plans));

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, $"{datasetFolder}/dataset.json", Encoding.UTF8.GetBytes("""{"labels": {"background": 0, "liver": 1}}"""));
            Add(zip, $"{datasetFolder}/{ResultsFolder}/plans.json", plans);
            Add(zip, $"{datasetFolder}/{ResultsFolder}/fold_0/checkpoint_final.pth", checkpoint);
        }

        Bytes = buffer.ToArray();
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Bytes));
    }

    public string DatasetFolder { get; }

    public byte[] Bytes { get; }

    public string Sha256 { get; }

    public string CheckpointSha256 { get; }

    public string PlansSha256 { get; }

    /// <summary>The published-hash list a catalogue entry for this zip carries.</summary>
    public IReadOnlyList<KnownFileHash> KnownFiles =>
    [
        new() { Path = $"{ResultsFolder}/fold_0/checkpoint_final.pth", Sha256 = CheckpointSha256 },
        new() { Path = $"{ResultsFolder}/plans.json", Sha256 = PlansSha256 },
    ];

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var stream = entry.Open();
        stream.Write(content);
    }
}
