using System.Text.Json.Nodes;

namespace FleetVpn.Protocol.Tests.Fixtures;

/// <summary>One packet of a fixture session: the decoder's view (decoded.json) next to the raw datagram.</summary>
internal sealed record CapturedPacket(int Frame, bool ClientToServer, string Opcode, JsonNode Decoded, byte[] Raw);

/// <summary>
/// A fixture session directory: its capture, decoded.json, and the helpers to get unwrapped control
/// packets and the TLS plaintext. Control wrapping supported here: none, and tls-auth (HMAC stripped, not checked).
/// </summary>
internal sealed class CapturedSession
{
    private readonly int _tlsAuthHmacLength;

    public CapturedSession(string name, int tlsAuthHmacLength = 0, string decodedFile = "decoded.json")
    {
        Name = name;
        _tlsAuthHmacLength = tlsAuthHmacLength;
        Decoded = FixtureFiles.Json(name, decodedFile);
        var datagrams = Pcapng.ReadUdp(FixtureFiles.PathOf(name, "capture.pcapng")).ToDictionary(d => d.Frame);
        var packets = new List<CapturedPacket>();
        foreach (var node in Decoded["packets"]!.AsArray())
        {
            int frame = node!["frame"]!.GetValue<int>();
            if (!datagrams.TryGetValue(frame, out var datagram))
                throw new InvalidDataException($"{name}: frame {frame} of {decodedFile} is not a UDP datagram in capture.pcapng");
            if (datagram.Payload.Length != node["udp_payload_len"]!.GetValue<int>())
                throw new InvalidDataException($"{name}: frame {frame} length differs between capture and {decodedFile}");
            packets.Add(new CapturedPacket(frame, node["dir"]!.GetValue<string>() == "C->S", node["opcode"]!.GetValue<string>(), node, datagram.Payload));
        }
        Packets = packets;
    }

    public string Name { get; }
    public JsonNode Decoded { get; }
    public IReadOnlyList<CapturedPacket> Packets { get; }

    public IEnumerable<CapturedPacket> ControlPackets => Packets.Where(p => p.Opcode.StartsWith("P_CONTROL", StringComparison.Ordinal) || p.Opcode == "P_ACK_V1");

    public IEnumerable<CapturedPacket> DataPackets => Packets.Where(p => p.Opcode.StartsWith("P_DATA", StringComparison.Ordinal));

    /// <summary>The packet as it would be without control wrapping: <c>op | own sid | ACK block | [msg-pid] | payload</c>.</summary>
    public byte[] Unwrapped(CapturedPacket packet)
    {
        if (_tlsAuthHmacLength == 0) return packet.Raw;
        // tls-auth: op(1) sid(8) HMAC(H) replay-pid(4) time(4) rest
        return [.. packet.Raw.AsSpan(0, 9), .. packet.Raw.AsSpan(9 + _tlsAuthHmacLength + 8)];
    }

    /// <summary>The TLS byte stream of one direction and key-id, re-assembled in message packet-id order.</summary>
    public byte[] TlsStream(bool clientToServer, int keyId = 0)
    {
        var pieces = new SortedDictionary<uint, byte[]>();
        foreach (var p in ControlPackets)
        {
            if (p.ClientToServer != clientToServer || p.Decoded["key_id"]!.GetValue<int>() != keyId) continue;
            var msgPid = p.Decoded["msg_packet_id"];
            if (msgPid is null) continue;
            int payloadLength = p.Decoded["payload_len"]!.GetValue<int>();
            var unwrapped = Unwrapped(p);
            pieces.TryAdd(msgPid.GetValue<uint>(), unwrapped[^payloadLength..]);
        }
        return pieces.Values.SelectMany(b => b).ToArray();
    }

    /// <summary>The decrypted TLS application data (key-method-2 message, then NUL-terminated commands) of one direction.</summary>
    public byte[] TlsPlaintext(bool clientToServer, int keyId = 0) =>
        Tls13Transcript.ApplicationData(TlsStream(true, keyId), TlsStream(false, keyId), clientToServer, FixtureFiles.PathOf(Name, "tls-keylog.txt"));

    public JsonNode Tls(int keyId) => Decoded["tls"]![keyId.ToString(System.Globalization.CultureInfo.InvariantCulture)]!;
}
