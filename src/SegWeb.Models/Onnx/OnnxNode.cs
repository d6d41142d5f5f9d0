namespace SegWeb.Models.Onnx;

/// <summary>
/// The parts of a NodeProto SegWeb's graph rewrites look at, read once. Empty strings for absent names, op type and
/// domain; each attribute as its protobuf fields (AttributeProto: name 1, f 2, i 3, s 4, ints 8).
/// </summary>
internal sealed record OnnxNode(string OpType, string Domain, string Name, List<string> Inputs, List<string> Outputs, List<List<ProtoField>> Attributes)
{
    // NodeProto field numbers.
    public const int InputField = 1, OutputField = 2, NameField = 3, OpTypeField = 4, AttributeField = 5, DomainField = 7;

    // AttributeProto field numbers.
    public const int AttributeNameField = 1, AttributeFloatField = 2, AttributeIntField = 3, AttributeStringField = 4, AttributeIntsField = 8;

    /// <summary>Whether the node is in ONNX's default domain.</summary>
    public bool InDefaultDomain => Domain is "" or "ai.onnx";

    public static OnnxNode Read(ProtoField node)
    {
        var fields = ProtoReader.Fields(node.Payload);
        string Text(int number) => fields.FirstOrDefault(f => f.Number == number) is { Payload.Length: > 0 } t ? t.String : string.Empty;
        return new OnnxNode(Text(OpTypeField), Text(DomainField), Text(NameField),
            [.. fields.Where(f => f.Number == InputField).Select(f => f.String)], [.. fields.Where(f => f.Number == OutputField).Select(f => f.String)],
            [.. fields.Where(f => f.Number == AttributeField).Select(f => ProtoReader.Fields(f.Payload))]);
    }

    /// <summary>An attribute's name.</summary>
    public static string AttributeName(List<ProtoField> attribute) =>
        attribute.FirstOrDefault(f => f.Number == AttributeNameField) is { Payload.Length: > 0 } n ? n.String : string.Empty;

    /// <summary>The float attribute <paramref name="name"/>, or null when the node has none.</summary>
    public float? Float(string name) =>
        Attributes.FirstOrDefault(a => AttributeName(a) == name) is { } attribute && attribute.FirstOrDefault(f => f.Number == AttributeFloatField) is { WireType: 5 } value
            ? BitConverter.Int32BitsToSingle((int)value.Varint) : null;

    /// <summary>Whether the node has an attribute other than <paramref name="allowed"/>.</summary>
    public bool HasOtherAttributes(string allowed) => Attributes.Any(a => AttributeName(a) != allowed);
}
