using System.Globalization;
using System.Net;

namespace FleetVpn.Swarm;

/// <summary>
/// The options a client takes from PUSH_REPLY messages (§6.1): tunnel address, peer-id, data cipher,
/// keepalive timers, protocol flags and compression framing. Several messages are merged while they
/// end with <c>push-continuation 2</c> (<c>process_incoming_push_reply()</c> in push.c).
/// </summary>
public sealed class PushReply
{
    public const string Prefix = "PUSH_REPLY";

    public IPAddress? Address { get; private set; }
    public IPAddress? Netmask { get; private set; }
    public IPAddress? RouteGateway { get; private set; }
    public int? PeerId { get; private set; }
    public string? Cipher { get; private set; }
    public int? Ping { get; private set; }
    public int? PingRestart { get; private set; }
    public int? TunMtu { get; private set; }
    public IReadOnlyList<string> ProtocolFlags { get; private set; } = [];
    public string? KeyDerivation { get; private set; }

    /// <summary><c>comp-lzo</c> pushed (any value but absent): every data payload carries the 0xFA framing byte.</summary>
    public bool CompLzoFraming { get; private set; }

    /// <summary>False after a part that ended with <c>push-continuation 2</c>: more parts follow.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Whether the server asks for the EXIT control message (<c>protocol-flags cc-exit</c>).</summary>
    public bool CcExit => ProtocolFlags.Contains("cc-exit");

    /// <summary>Whether the server asks for TLS-EKM data keys (which a PRF-only client cannot do).</summary>
    public bool WantsTlsEkm => ProtocolFlags.Contains("tls-ekm") || KeyDerivation == "tls-ekm";

    public static bool IsPushReply(string message) =>
        message == Prefix || message.StartsWith(Prefix + ",", StringComparison.Ordinal);

    /// <summary>Parses one complete PUSH_REPLY message; throws <see cref="FormatException"/> for a malformed option.</summary>
    public static PushReply Parse(string message)
    {
        var reply = new PushReply();
        reply.Add(message);
        return reply;
    }

    /// <summary>Merges one PUSH_REPLY message (the first or a continuation) into this reply.</summary>
    public void Add(string message)
    {
        if (!IsPushReply(message)) throw new FormatException("not a PUSH_REPLY message");
        IsComplete = true;
        foreach (var option in message.Split(',').Skip(1))
        {
            var parts = option.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            switch (parts[0])
            {
                case "ifconfig":
                    Need(parts, 2);
                    Address = ParseAddress(parts[1]);
                    Netmask = ParseAddress(parts[2]);
                    break;
                case "route-gateway":
                    Need(parts, 1);
                    RouteGateway = ParseAddress(parts[1]);
                    break;
                case "peer-id":
                    Need(parts, 1);
                    PeerId = ParseInt(parts[1], 0, 0xFFFFFF);
                    break;
                case "cipher":
                    Need(parts, 1);
                    Cipher = parts[1];
                    break;
                case "ping":
                    Need(parts, 1);
                    Ping = ParseInt(parts[1], 0, 86400);
                    break;
                case "ping-restart":
                    Need(parts, 1);
                    PingRestart = ParseInt(parts[1], 0, 86400);
                    break;
                case "tun-mtu":
                    Need(parts, 1);
                    TunMtu = ParseInt(parts[1], 68, 65535);
                    break;
                case "protocol-flags":
                    ProtocolFlags = [.. ProtocolFlags, .. parts.Skip(1)];
                    break;
                case "key-derivation":
                    Need(parts, 1);
                    KeyDerivation = parts[1];
                    break;
                case "comp-lzo":
                    CompLzoFraming = true;
                    break;
                case "push-continuation":
                    Need(parts, 1);
                    IsComplete = parts[1] != "2";
                    break;
            }
        }
    }

    private static void Need(string[] parts, int count)
    {
        if (parts.Length < count + 1) throw new FormatException($"push option '{string.Join(' ', parts)}' needs {count} argument(s)");
    }

    private static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? a
            : throw new FormatException($"'{text}' is not an IPv4 address");

    private static int ParseInt(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new FormatException($"'{text}' is not a number in {min}..{max}");
}
