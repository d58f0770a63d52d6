using System.Buffers;
using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using TamTam.Protocol.Frames;

namespace TamTam.Protocol.Tests;

/// <summary>
/// Maps frame structs to and from the JSON field form of spec/vectors (docs/protocol.md, section 9) by
/// reflection over the frames' primary constructors: snake_case names, flag-carried booleans folded into
/// the header flags, and the optional STATION, PARTED and REPLY groups flattened.
/// </summary>
internal static class FrameJson
{
    private static readonly Dictionary<string, string> SpecialNames = new()
    {
        ["Crc32C"] = "crc32c",
        ["Sha256"] = "sha256",
    };

    public static JsonObject ToFields(object frame)
    {
        var fields = new JsonObject();
        foreach (ParameterInfo parameter in Parameters(frame.GetType()))
        {
            object? value = frame.GetType().GetProperty(parameter.Name!)!.GetValue(frame);
            if (IsFlagBool(frame.GetType(), parameter))
            {
                continue;
            }

            switch (value)
            {
                case StationSource station:
                    fields["src_link"] = station.Link.ToString();
                    fields["src_node"] = station.Node.ToString();
                    break;
                case TraceContext trace:
                    fields["traceparent"] = trace.TraceParent.ToString();
                    break;
                case TransferInfo transfer:
                    fields["total_size"] = transfer.TotalSize;
                    fields["part_size"] = transfer.PartSize;
                    fields["part_count"] = transfer.PartCount;
                    fields["sha256"] = Convert.ToHexStringLower(transfer.Sha256.Span);
                    break;
                case null:
                    break;
                default:
                    fields[SnakeCase(parameter.Name!)] = ToNode(value);
                    break;
            }
        }

        if (frame.GetType().GetProperty("Reply")?.GetValue(frame) is ReplyInfo reply)
        {
            fields["correlation_id"] = reply.CorrelationId.ToString("D");
            fields["reply_link"] = reply.Link.ToString();
            fields["reply_port"] = reply.Port.ToString();
        }

        return fields;
    }

    public static object FromFields(Type type, ushort flags, JsonObject fields)
    {
        ParameterInfo[] parameters = Parameters(type);
        if (parameters.Length == 0)
        {
            return Activator.CreateInstance(type)!;
        }

        var arguments = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            ParameterInfo parameter = parameters[i];
            Type target = parameter.ParameterType;
            if (IsFlagBool(type, parameter))
            {
                arguments[i] = (flags & FlagValue(type, parameter.Name!)) != 0;
            }
            else if (target == typeof(StationSource?))
            {
                arguments[i] = fields.ContainsKey("src_link")
                    ? new StationSource(Str(fields["src_link"]), Str(fields["src_node"]))
                    : null;
            }
            else if (target == typeof(TraceContext?))
            {
                arguments[i] = fields.ContainsKey("traceparent") ? new TraceContext(Str(fields["traceparent"])) : null;
            }
            else if (target == typeof(TransferInfo?))
            {
                arguments[i] = fields.ContainsKey("total_size")
                    ? new TransferInfo(fields["total_size"]!.GetValue<ulong>(), fields["part_size"]!.GetValue<uint>(),
                        fields["part_count"]!.GetValue<uint>(), Convert.FromHexString(fields["sha256"]!.GetValue<string>()))
                    : null;
            }
            else
            {
                string name = SnakeCase(parameter.Name!);
                if (!fields.TryGetPropertyValue(name, out JsonNode? node))
                {
                    throw new KeyNotFoundException($"{type.Name}: vector lacks field {name}");
                }

                arguments[i] = FromNode(node, target);
            }
        }

        object frame = Constructor(type)!.Invoke(arguments);

        // The REPLY group is an init-only property beside the constructor's parameters.
        if (fields.ContainsKey("correlation_id"))
        {
            type.GetProperty("Reply")!.SetValue(frame, new ReplyInfo(Guid.Parse(Str(fields["correlation_id"])), Str(fields["reply_link"]),
                Str(fields["reply_port"])));
        }

        return frame;
    }

    // Empty-bodied frames are parameterless structs: no constructor to reflect on, no fields.
    private static ParameterInfo[] Parameters(Type type) => Constructor(type)?.GetParameters() ?? [];

    private static ConstructorInfo? Constructor(Type type)
    {
        ConstructorInfo[] constructors = type.GetConstructors();
        ConstructorInfo? best = null;
        foreach (ConstructorInfo candidate in constructors)
        {
            if (best is null || candidate.GetParameters().Length > best.GetParameters().Length)
            {
                best = candidate;
            }
        }

        return best;
    }

    // A bool constructor parameter X travels as the header flag XFlag, not as a body field.
    private static bool IsFlagBool(Type type, ParameterInfo parameter) =>
        parameter.ParameterType == typeof(bool) && type.GetField(parameter.Name + "Flag") is not null;

    private static ushort FlagValue(Type type, string name) => (ushort)type.GetField(name + "Flag")!.GetValue(null)!;

    private static string SnakeCase(string name)
    {
        if (SpecialNames.TryGetValue(name, out string? special))
        {
            return special;
        }

        var builder = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static JsonNode? ToNode(object value) => value switch
    {
        Guid guid => guid.ToString("D"),
        Utf8Text text => text.ToString(),
        ReadOnlyMemory<byte> bytes => Convert.ToHexStringLower(bytes.Span),
        ReadOnlySequence<byte> sequence => Convert.ToHexStringLower(sequence.ToArray()),
        bool b => b,
        Enum e => Convert.ToUInt64(e, System.Globalization.CultureInfo.InvariantCulture),
        byte or ushort or uint or ulong => Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        long l => l,
        IEnumerable items => ToArray(items),
        _ when value.GetType().IsValueType => ToFields(value),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    private static JsonArray ToArray(IEnumerable items)
    {
        var array = new JsonArray();
        foreach (object? item in items)
        {
            array.Add(ToNode(item!));
        }

        return array;
    }

    private static object? FromNode(JsonNode? node, Type target)
    {
        if (target == typeof(Guid))
        {
            return Guid.Parse(node!.GetValue<string>());
        }

        if (target == typeof(Utf8Text))
        {
            return (Utf8Text)Str(node);
        }

        if (target == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>(Convert.FromHexString(node!.GetValue<string>()));
        }

        if (target == typeof(ReadOnlySequence<byte>))
        {
            return new ReadOnlySequence<byte>(Convert.FromHexString(node!.GetValue<string>()));
        }

        if (target.IsEnum)
        {
            return Enum.ToObject(target, node!.GetValue<ulong>());
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            Type element = target.GetGenericArguments()[0];
            JsonArray array = node!.AsArray();
            var list = Array.CreateInstance(element, array.Count);
            for (int i = 0; i < array.Count; i++)
            {
                list.SetValue(FromNode(array[i], element), i);
            }

            return list;
        }

        if (target == typeof(bool))
        {
            return node!.GetValue<bool>();
        }

        if (target.IsPrimitive)
        {
            return Convert.ChangeType(node!.GetValue<decimal>(), target, System.Globalization.CultureInfo.InvariantCulture);
        }

        return FromFields(target, 0, node!.AsObject());
    }

    private static string Str(JsonNode? node) => node!.GetValue<string>();
}
