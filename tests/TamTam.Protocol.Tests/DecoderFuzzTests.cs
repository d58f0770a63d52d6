using System.Buffers;
using System.Globalization;

namespace TamTam.Protocol.Tests;

/// <summary>
/// Random and mutated input never makes the decoder throw anything but <see cref="ProtocolException"/>,
/// never loops, and never touches memory outside the input (which would surface as another exception).
/// CI runs a reduced count; set TAMTAM_FUZZ_INPUTS=1000000 for the documented full run.
/// </summary>
public sealed class DecoderFuzzTests
{
    private const int DefaultInputs = 20_000;

    private static int Inputs =>
        int.TryParse(Environment.GetEnvironmentVariable("TAMTAM_FUZZ_INPUTS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : DefaultInputs;

    [Fact]
    public void Mutated_and_random_frames_raise_only_protocol_errors()
    {
        var random = new Random(20261123);
        byte[][] seeds = SampleFrames.All().Select(f => FrameCatalog.Encode(f, 1)).ToArray();
        var codes = new HashSet<ErrorCode>();
        int decodedFrames = 0;

        for (int i = 0; i < Inputs; i++)
        {
            byte[] input = i % 8 == 0 ? RandomInput(random) : Mutate(seeds[random.Next(seeds.Length)], random);
            int[] cuts = random.Next(3) == 0 ? [random.Next(input.Length + 1), random.Next(input.Length + 1)] : [];

            decodedFrames += DecodeAll(input, cuts, codes);
        }

        // The run reached deep into bodies, not only the header checks.
        Assert.Contains(ErrorCode.BadLength, codes);
        Assert.Contains(ErrorCode.OutOfRange, codes);
        Assert.True(decodedFrames > 0);
    }

    private static int DecodeAll(byte[] input, int[] cuts, HashSet<ErrorCode> codes)
    {
        ReadOnlySequence<byte> buffer = SequenceSegments.Cut(input, cuts.Order().ToArray());
        int frames = 0;
        long before = buffer.Length + 1;
        try
        {
            while (buffer.Length < before && FrameReader.TryReadFrame(ref buffer, 4_096, out Frame frame))
            {
                before = buffer.Length + 1;
                try
                {
                    FrameCatalog.Decode(frame);
                    frames++;
                }
                catch (ProtocolException e) when (!e.IsFatal)
                {
                    codes.Add(e.Code);
                }
            }

            FrameReader.EnsureNothingPending(buffer);
        }
        catch (ProtocolException e)
        {
            codes.Add(e.Code);
        }

        return frames;
    }

    private static byte[] RandomInput(Random random)
    {
        var bytes = new byte[random.Next(0, 96)];
        random.NextBytes(bytes);
        if (bytes.Length >= 16 && random.Next(2) == 0)
        {
            // A plausible header makes the body checks reachable.
            bytes[0] = 0x54;
            bytes[1] = 0x54;
            bytes[2] = 1;
            bytes[6] = 0;
            bytes[7] = 0;
            int body = bytes.Length - 16;
            bytes[8] = (byte)body;
            bytes[9] = 0;
            bytes[10] = 0;
            bytes[11] = 0;
        }

        return bytes;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        byte[] bytes = (byte[])seed.Clone();
        switch (random.Next(5))
        {
            case 0:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                break;
            case 1 when bytes.Length > 16:
                bytes[random.Next(16, bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 2:
                Array.Resize(ref bytes, random.Next(bytes.Length));
                break;
            case 3:
                // Body length that disagrees with the fields.
                int length = Math.Max(0, bytes.Length - 16 + random.Next(-8, 9));
                BitConverter.TryWriteBytes(bytes.AsSpan(8), (uint)length);
                break;
            default:
                for (int k = random.Next(1, 6); k > 0; k--)
                {
                    int at = random.Next(16, Math.Max(17, bytes.Length));
                    if (at < bytes.Length)
                    {
                        bytes[at] = (byte)random.Next(256);
                    }
                }

                break;
        }

        return bytes;
    }
}
