using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TamTam.Protocol.Tests;

/// <summary>Every interoperability vector of spec/vectors, both ways (docs/protocol.md, section 9).</summary>
public sealed class VectorTests
{
    public static TheoryData<string> ValidVectors => Names(valid: true);

    public static TheoryData<string> InvalidVectors => Names(valid: false);

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Valid_vector_decodes_to_its_fields(string name)
    {
        JsonObject vector = Load(name);
        byte[] bytes = Hex(vector);
        JsonObject expected = vector["frame"]!.AsObject();

        List<(FrameHeader Header, object Frame)> frames = FrameCatalog.DecodeAll(bytes, MaxBody(vector));

        (FrameHeader header, object frame) = Assert.Single(frames);
        Assert.Equal(expected["type"]!.GetValue<string>(), header.Type.WireName());
        Assert.Equal(expected["flags"]!.GetValue<ushort>(), header.Flags);
        Assert.Equal(expected["correlation"]!.GetValue<uint>(), header.Correlation);
        JsonObject actual = FrameJson.ToFields(frame);
        Assert.True(JsonNode.DeepEquals(expected["fields"], actual), $"{name}: expected {expected["fields"]!.ToJsonString()}, decoded {actual.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Valid_vector_fields_encode_to_its_bytes(string name)
    {
        JsonObject vector = Load(name);
        JsonObject expected = vector["frame"]!.AsObject();
        FrameType type = FrameCatalog.ByWireName(expected["type"]!.GetValue<string>());
        object frame = FrameJson.FromFields(FrameCatalog.All[type], expected["flags"]!.GetValue<ushort>(), expected["fields"]!.AsObject());

        byte[] encoded = FrameCatalog.Encode(frame, expected["correlation"]!.GetValue<uint>());

        Assert.Equal(Convert.ToHexStringLower(Hex(vector)), Convert.ToHexStringLower(encoded));
    }

    [Theory]
    [MemberData(nameof(InvalidVectors))]
    public void Invalid_vector_is_reported_with_its_code(string name)
    {
        JsonObject vector = Load(name);
        byte[] bytes = Hex(vector);

        var error = Assert.Throws<ProtocolException>(() => FrameCatalog.DecodeAll(bytes, MaxBody(vector)));

        Assert.Equal(vector["error"]!.GetValue<int>(), (int)error.Code);
    }

    [Fact]
    public void Every_frame_type_has_a_valid_vector()
    {
        var covered = new HashSet<string>();
        foreach (JsonObject vector in AllVectors())
        {
            if (vector["frame"] is JsonObject frame)
            {
                covered.Add(frame["type"]!.GetValue<string>());
            }
        }

        foreach (FrameType type in FrameTypes.All)
        {
            Assert.Contains(type.WireName(), covered);
        }
    }

    private static int MaxBody(JsonObject vector) =>
        vector["max_body"]?.GetValue<int>() ?? ProtocolLimits.DefaultMaxBody;

    private static byte[] Hex(JsonObject vector) =>
        Convert.FromHexString(string.Concat(vector["hex"]!.GetValue<string>().Where(c => !char.IsWhiteSpace(c))));

    private static TheoryData<string> Names(bool valid)
    {
        var data = new TheoryData<string>();
        foreach (JsonObject vector in AllVectors())
        {
            if ((vector["frame"] is not null) == valid)
            {
                data.Add(vector["name"]!.GetValue<string>());
            }
        }

        return data;
    }

    private static JsonObject Load(string name) =>
        AllVectors().Single(v => v["name"]!.GetValue<string>() == name);

    private static IEnumerable<JsonObject> AllVectors()
    {
        foreach (string file in Directory.GetFiles(RepositoryPaths.Vectors, "*.json").Order(StringComparer.Ordinal))
        {
            JsonNode root = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
            foreach (JsonNode? vector in root["vectors"]!.AsArray())
            {
                yield return vector!.AsObject();
            }
        }
    }
}
