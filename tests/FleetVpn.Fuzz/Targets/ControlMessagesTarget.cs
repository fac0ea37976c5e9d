using System.Text;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Messages;

namespace FleetVpn.Fuzz.Targets;

/// <summary>
/// The text a client sends inside TLS after key method 2: NUL-terminated commands cut by the control message reader,
/// and the option strings and peer-info lines the server reads (the input as a whole, as UTF-8).
/// </summary>
public sealed class ControlMessagesTarget : IFuzzTarget
{
    public string Name => "control-messages";

    public void Run(ReadOnlySpan<byte> input)
    {
        var commands = new List<string>();
        var reader = new ControlMessageReader();
        // Fed in two pieces: a command may be split across TLS records.
        int half = input.Length / 2;
        if (reader.Append(input[..half], commands)) reader.Append(input[half..], commands);
        foreach (var command in commands)
        {
            if (command.Length == 0 || command.Length > ControlMessageReader.MaxMessageLength)
                throw new FuzzInvariantException($"a command of {command.Length} characters");
        }
        var text = Encoding.UTF8.GetString(input);
        _ = OptionsString.Parse(text);
        var peerInfo = PeerInfo.Parse(text);
        _ = peerInfo.Has(PeerInfo.ProtoDataV2);
    }
}
