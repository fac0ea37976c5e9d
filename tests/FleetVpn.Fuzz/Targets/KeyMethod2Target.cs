using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;

namespace FleetVpn.Fuzz.Targets;

/// <summary>
/// The TLS plaintext a peer sends first: a key-method-2 message (byte 0 of the input: odd = from a client, with the
/// pre-master secret), its options string and peer-info, then the control messages after it.
/// </summary>
public sealed class KeyMethod2Target : IFuzzTarget
{
    public string Name => "key-method-2";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return;
        bool fromClient = (input[0] & 1) == 1;
        var data = input[1..];
        var status = KeyMethod2Message.TryParse(data, fromClient, out var message, out int consumed);
        if (status != KeyMethod2Message.ParseStatus.Complete)
        {
            if (message is not null || consumed != 0) throw new FuzzInvariantException($"{status} with a message or consumed bytes");
            return;
        }
        if (message is null || consumed <= 0 || consumed > data.Length)
            throw new FuzzInvariantException($"complete message with consumed {consumed} of {data.Length}");
        _ = OptionsString.Parse(message.Options);
        _ = PeerInfo.Parse(message.PeerInfo);
        var commands = new List<string>();
        new ControlMessageReader().Append(data[consumed..], commands);
    }
}
