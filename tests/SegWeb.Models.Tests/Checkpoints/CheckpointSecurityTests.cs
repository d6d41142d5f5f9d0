using SegWeb.Models.Checkpoints;

namespace SegWeb.Models.Tests.Checkpoints;

/// <summary>The restricted unpickler refuses hostile checkpoints by the global's name and never runs them.</summary>
public sealed class CheckpointSecurityTests
{
    [SkippableTheory]
    [InlineData("evil_os_system.pth", "posix.system")]
    [InlineData("evil_eval.pth", "__builtin__.eval")] // protocol 2 writes Python 2 module names
    [InlineData("evil_load_from_bytes.pth", "torch.storage._load_from_bytes")]
    [InlineData("evil_nested.pth", "posix.system")]
    public void Hostile_pickle_is_refused_by_name_and_nothing_runs(string file, string global)
    {
        var path = CheckpointFixtures.File(file);

        var ex = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Open(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{global}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("forbidden", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(CheckpointFixtures.Marker), "the hostile pickle's command ran");
        // Through the nnU-Net layer the same typed error comes out.
        Assert.Throws<CheckpointFormatException>(() => NnUNetCheckpoint.Open(path));
    }

    [SkippableFact]
    public void Hostile_fixture_is_genuinely_hostile_under_pythons_own_unpickler()
    {
        // Control: the same data.pkl given to Python's unrestricted pickle.loads does run its command, so the
        // refusal above is what keeps the marker from appearing. Run against a copy with its own marker.
        var source = CheckpointFixtures.File("evil_os_system.pth");
        var marker = CheckpointFixtures.Marker;
        var controlMarker = Path.Combine(Path.GetDirectoryName(marker)!, "RAN_OK"); // same length as MARKER: the pickle length-prefixes it
        const string script = """
            import pickle, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            data = z.read([n for n in z.namelist() if n.endswith("/data.pkl")][0])
            pickle.loads(data.replace(b"/MARKER", b"/RAN_OK"))
            """;

        ReferencePython.Run(script, source);

        Assert.True(File.Exists(controlMarker), "Python's own unpickler should have executed the fixture's command");
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Handcrafted_global_reduce_is_refused_without_python()
    {
        // GLOBAL 'os system', ('echo',), REDUCE: the classic pickle exploit, byte by byte.
        byte[] pickle = [0x80, 0x02, .. "cos\nsystem\n"u8, 0x8C, 4, .. "echo"u8, 0x85, (byte)'R', (byte)'.'];

        var ex = Assert.Throws<Pickle.PickleSecurityException>(() => new Pickle.PickleReader(pickle, new TorchPickleEnvironment()).Load());

        Assert.Contains("'os.system'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'i', (byte)'o', (byte)'s', 0x0A, (byte)'s', 0x0A, (byte)'.' }, "INST")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'(', (byte)'o', (byte)'.' }, "OBJ")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'P', (byte)'1', 0x0A, (byte)'.' }, "PERSID")]
    [InlineData(new byte[] { 0x80, 0x02, 0x82, 0x01, (byte)'.' }, "EXT1")]
    public void Opcodes_that_can_run_code_are_refused(byte[] pickle, string opcode)
    {
        var ex = Assert.Throws<Pickle.PickleFormatException>(() => new Pickle.PickleReader(pickle, new TorchPickleEnvironment()).Load());

        Assert.Contains(opcode, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_tuples_are_refused_before_they_can_overflow_the_stack()
    {
        // 200 000 nested 1-tuples (a 200 kB pickle) used as a dict key: hashing it recursively would crash the process.
        var pickle = new List<byte> { 0x80, 0x02, (byte)'}', (byte)'N' };
        pickle.AddRange(Enumerable.Repeat((byte)0x85, 200_000));
        pickle.AddRange([(byte)'N', (byte)'s', (byte)'.']);

        var ex = Assert.Throws<Pickle.PickleFormatException>(() => new Pickle.PickleReader([.. pickle], new TorchPickleEnvironment()).Load());

        Assert.Contains("nested deeper", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reduce_on_a_non_global_is_refused()
    {
        // A plain string as the callable: REDUCE must not treat data as code.
        byte[] pickle = [0x80, 0x02, 0x8C, 2, .. "id"u8, (byte)')', (byte)'R', (byte)'.'];

        Assert.Throws<Pickle.PickleFormatException>(() => new Pickle.PickleReader(pickle, new TorchPickleEnvironment()).Load());
    }
}
