using System.Buffers.Binary;
using System.Text;

namespace FleetVpn.Protocol.Keys;

/// <summary>
/// The key-method-2 message each peer sends first inside TLS (§5.2/5.3, <c>key_method_2_write/read()</c>):
/// <c>00000000 02 [pre_master 48, client only] random1(32) random2(32) options user pass peer-info</c>,
/// each string as uint16 length including the NUL, then the bytes and NUL (empty = <c>00 00</c>).
/// </summary>
public sealed class KeyMethod2Message
{
    public const byte KeyMethod = 2;
    public const int MaxOptionsLength = 512;

    public required KeySource Keys { get; init; }
    public string Options { get; init; } = "";
    public string Username { get; init; } = "";
    public string Password { get; init; } = "";
    public string PeerInfo { get; init; } = "";

    public enum ParseStatus { Complete, NeedMore, Invalid }

    /// <summary>Parses a message from the TLS plaintext received so far.</summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> data, bool fromClient, out KeyMethod2Message? message, out int consumed)
    {
        message = null;
        consumed = 0;
        int fixedSize = 4 + 1 + (fromClient ? KeySource.PreMasterSize : 0) + 2 * KeySource.RandomSize;
        if (data.Length < fixedSize) return ParseStatus.NeedMore;
        if ((data[4] & 0x0F) != KeyMethod) return ParseStatus.Invalid;
        int pos = 5;
        byte[]? preMaster = null;
        if (fromClient)
        {
            preMaster = data.Slice(pos, KeySource.PreMasterSize).ToArray();
            pos += KeySource.PreMasterSize;
        }
        var r1 = data.Slice(pos, KeySource.RandomSize).ToArray();
        pos += KeySource.RandomSize;
        var r2 = data.Slice(pos, KeySource.RandomSize).ToArray();
        pos += KeySource.RandomSize;

        // All four strings are required: every 2.x peer writes options, user, pass and peer-info
        // (empty ones as 00 00, key_method_2_write()/push_peer_info()). Treating missing trailing
        // strings as absent would take a message cut at a string boundary for a complete one.
        var options = ReadString(data, ref pos, out var status);
        if (status != ParseStatus.Complete) return status;
        var user = ReadString(data, ref pos, out status);
        if (status != ParseStatus.Complete) return status;
        var pass = ReadString(data, ref pos, out status);
        if (status != ParseStatus.Complete) return status;
        var peerInfo = ReadString(data, ref pos, out status);
        if (status != ParseStatus.Complete) return status;
        consumed = pos;
        message = new KeyMethod2Message
        {
            Keys = new KeySource(preMaster, r1, r2),
            Options = options!,
            Username = user!,
            Password = pass!,
            PeerInfo = peerInfo!,
        };
        return ParseStatus.Complete;
    }

    public byte[] ToBytes()
    {
        var buffer = new List<byte>(256);
        buffer.AddRange([0, 0, 0, 0, KeyMethod]);
        if (Keys.PreMaster is not null) buffer.AddRange(Keys.PreMaster);
        buffer.AddRange(Keys.Random1);
        buffer.AddRange(Keys.Random2);
        WriteString(buffer, Options);
        WriteString(buffer, Username);
        WriteString(buffer, Password);
        WriteString(buffer, PeerInfo);
        return buffer.ToArray();
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int pos, out ParseStatus status)
    {
        if (data.Length < pos + 2) { status = ParseStatus.NeedMore; return ""; }
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
        if (length > 4096 + 1) { status = ParseStatus.Invalid; return ""; }
        if (data.Length < pos + 2 + length) { status = ParseStatus.NeedMore; return ""; }
        var bytes = data.Slice(pos + 2, length);
        pos += 2 + length;
        status = ParseStatus.Complete;
        if (length == 0) return "";
        if (bytes[^1] != 0) { status = ParseStatus.Invalid; return ""; }
        return Encoding.UTF8.GetString(bytes[..^1]);
    }

    private static void WriteString(List<byte> buffer, string value)
    {
        if (value.Length == 0) { buffer.AddRange([0, 0]); return; }
        var bytes = Encoding.UTF8.GetBytes(value);
        int length = bytes.Length + 1;
        buffer.Add((byte)(length >> 8));
        buffer.Add((byte)length);
        buffer.AddRange(bytes);
        buffer.Add(0);
    }
}
