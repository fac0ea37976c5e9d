using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

/// <summary>Checks an unwrapped control packet against the decoder's view of the captured one (decoded.json).</summary>
internal static class ControlPacketExpectations
{
    public static void AssertMatchesDecoded(CapturedPacket packet, ReadOnlySpan<byte> unwrapped, uint replayId, uint replayTime)
    {
        var d = packet.Decoded;
        string where = $"frame {packet.Frame}";
        Assert.True(ControlPacket.TryParse(unwrapped, out var parsed), $"{where}: unwrapped packet does not parse");
        Assert.Equal(d["opcode"]!.GetValue<string>(), OpenVpnName(parsed.Opcode));
        Assert.Equal(d["key_id"]!.GetValue<int>(), parsed.KeyId);
        Assert.Equal(d["session_id"]!.GetValue<string>(), parsed.SessionId.ToString());
        var acks = d["acks"]!.AsArray().Select(a => a!.GetValue<uint>()).ToArray();
        var parsedAcks = new uint[parsed.AckCount];
        for (int i = 0; i < parsedAcks.Length; i++) parsedAcks[i] = parsed.GetAck(i);
        Assert.Equal(acks, parsedAcks);
        var remote = d["remote_session_id"]?.GetValue<string>();
        if (remote is null) Assert.Equal(default, parsed.RemoteSessionId);
        else Assert.Equal(remote, parsed.RemoteSessionId.ToString());
        var msgPid = d["msg_packet_id"];
        Assert.Equal(msgPid is not null, parsed.HasMessageId);
        if (msgPid is not null) Assert.Equal(msgPid.GetValue<uint>(), parsed.MessageId);
        Assert.Equal(d["payload_len"]?.GetValue<int>() ?? 0, parsed.Payload.Length);
        Assert.Equal(d["replay_pid"]!.GetValue<uint>(), replayId);
        Assert.Equal(d["replay_time"]!.GetValue<uint>(), replayTime);
    }

    private static string OpenVpnName(Opcode opcode) => opcode switch
    {
        Opcode.ControlSoftResetV1 => "P_CONTROL_SOFT_RESET_V1",
        Opcode.ControlV1 => "P_CONTROL_V1",
        Opcode.AckV1 => "P_ACK_V1",
        Opcode.ControlHardResetClientV2 => "P_CONTROL_HARD_RESET_CLIENT_V2",
        Opcode.ControlHardResetServerV2 => "P_CONTROL_HARD_RESET_SERVER_V2",
        Opcode.ControlHardResetClientV3 => "P_CONTROL_HARD_RESET_CLIENT_V3",
        Opcode.ControlWkcV1 => "P_CONTROL_WKC_V1",
        _ => opcode.ToString(),
    };
}
