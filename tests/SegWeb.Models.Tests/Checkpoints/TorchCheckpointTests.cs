using System.IO.Compression;
using System.Text.Json.Nodes;
using SegWeb.Models.Checkpoints;
using SegWeb.Models.Pickle;

namespace SegWeb.Models.Tests.Checkpoints;

/// <summary>Reading torch.save checkpoints without Python: tensor layouts, plain values, corrupt and truncated files.</summary>
public sealed class TorchCheckpointTests
{
    [SkippableFact]
    public void Tensors_match_torch_for_every_dtype_and_layout()
    {
        var expected = JsonNode.Parse(File.ReadAllText(CheckpointFixtures.File("tensors.json")))!;
        using var checkpoint = TorchCheckpoint.Open(CheckpointFixtures.File("tensors.pth"));
        var weights = (PyDict)((PyDict)checkpoint.Root!)["network_weights"]!;

        foreach (var (name, values) in expected["values"]!.AsObject())
        {
            var tensor = Assert.IsType<TorchTensor>(weights[name]);
            var shape = expected["shapes"]![name]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
            Assert.Equal(shape, tensor.Shape);
            var want = values!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
            // float16/bfloat16 values widen exactly to float32, so the comparison is exact for every dtype.
            Assert.Equal(want, checkpoint.ReadFloat32(tensor));
        }

        // The transposed view and the offset view share the storage of a.weight.
        Assert.Same(((TorchTensor)weights["a.weight"]!).Storage, ((TorchTensor)weights["a.transposed"]!).Storage);
        Assert.Equal(TorchDType.Float16, ((TorchTensor)weights["h.weight"]!).Storage.DType);
        Assert.Equal(TorchDType.BFloat16, ((TorchTensor)weights["b.weight"]!).Storage.DType);
    }

    [SkippableFact]
    public void Plain_values_of_a_checkpoint_are_decoded()
    {
        using var checkpoint = TorchCheckpoint.Open(CheckpointFixtures.File("tensors.pth"));
        var root = (PyDict)checkpoint.Root!;

        Assert.Equal("nnUNetTrainer", root["trainer_name"]);
        Assert.Equal(new PyTuple([0L, 1L, 2L]), root["inference_allowed_mirroring_axes"]);
        Assert.Equal(1000L, root["current_epoch"]);
        Assert.Equal(0.8125, root["_best_ema"]); // numpy.float64 scalar
        Assert.Equal(0.01, root["lr"]);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 70), Assert.IsType<System.Numerics.BigInteger>(root["big"]));
        Assert.Equal(-123456789012L, root["neg"]);
        Assert.Equal([1L, 2L, 3L], Assert.IsType<List<object?>>(root["flags"]).Cast<long>().Order());
        Assert.Equal("cpu", root["device"]);
        Assert.Equal("n\u00e9", root["name"]);
        Assert.Equal(new byte[] { 0, 1, 0xFF }, root["raw"]);
        Assert.Null(root["nothing"]);
    }

    [SkippableTheory]
    [InlineData(0.10)]
    [InlineData(0.50)]
    [InlineData(0.90)]
    [InlineData(0.999)]
    public void Truncated_checkpoint_gives_a_typed_error_naming_the_file(double keep)
    {
        using var temp = new TempDirectory("truncated");
        var bytes = File.ReadAllBytes(CheckpointFixtures.File("tensors.pth"));
        var path = temp.File("checkpoint_final.pth");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);

        var ex = Assert.Throws<CheckpointFormatException>(() => NnUNetCheckpoint.Open(path));

        Assert.StartsWith(path + ":", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Storage_shorter_than_its_tensors_is_refused()
    {
        using var temp = new TempDirectory("short-storage");
        var path = temp.File("checkpoint_final.pth");
        RewriteZip(CheckpointFixtures.File("tensors.pth"), path, (name, data) => name.EndsWith("/data/0", StringComparison.Ordinal) ? data[..(data.Length / 2)] : data);

        var ex = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Open(path));

        Assert.Contains("storage '0'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Missing_storage_entry_is_refused()
    {
        using var temp = new TempDirectory("missing-storage");
        var path = temp.File("checkpoint_final.pth");
        RewriteZip(CheckpointFixtures.File("tensors.pth"), path, (name, data) => name.EndsWith("/data/1", StringComparison.Ordinal) ? null : data);

        var ex = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Open(path));

        Assert.Contains("'1' is missing", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Truncated_pickle_inside_an_intact_zip_is_refused()
    {
        using var temp = new TempDirectory("short-pickle");
        var path = temp.File("checkpoint_final.pth");
        RewriteZip(CheckpointFixtures.File("tensors.pth"), path, (name, data) => name.EndsWith("/data.pkl", StringComparison.Ordinal) ? data[..(data.Length * 2 / 3)] : data);

        var ex = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Open(path));

        Assert.Contains("corrupt pickle", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { }, "no zip signature")]
    [InlineData(new byte[] { 0x80, 0x02, 0x8A, 0x0A }, "legacy")]
    [InlineData(new byte[] { (byte)'{', (byte)'}', 0, 0, 0 }, "no zip signature")]
    public void Not_a_torch_zip_is_refused(byte[] content, string problem)
    {
        using var temp = new TempDirectory("not-zip");
        var path = temp.File("checkpoint_final.pth");
        File.WriteAllBytes(path, content);

        var ex = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Open(path));

        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_checkpoint_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"segweb-none-{Guid.NewGuid():N}.pth");

        var ex = Assert.Throws<CheckpointFormatException>(() => NnUNetCheckpoint.Open(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    private static void RewriteZip(string source, string target, Func<string, byte[], byte[]?> change)
    {
        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in input.Entries)
        {
            using var ms = new MemoryStream();
            using (var s = entry.Open())
            {
                s.CopyTo(ms);
            }

            if (change(entry.FullName, ms.ToArray()) is { } data)
            {
                using var w = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                w.Write(data);
            }
        }
    }
}
