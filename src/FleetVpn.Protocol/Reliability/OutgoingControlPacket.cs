using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Reliability;

/// <summary>A reliable control packet waiting for its ACK: same message packet-id and payload on every retransmission.</summary>
public sealed class OutgoingControlPacket
{
    public OutgoingControlPacket(Opcode opcode, uint messageId, byte[] payload)
    {
        Opcode = opcode;
        MessageId = messageId;
        Payload = payload;
    }

    public Opcode Opcode { get; }
    public uint MessageId { get; }
    public byte[] Payload { get; }

    /// <summary>When (ms, caller's clock) it is (re)sent next; 0 = not sent yet.</summary>
    public long DueAt { get; internal set; }

    /// <summary>Current retransmit timeout, doubled after each retransmission.</summary>
    public long TimeoutMs { get; internal set; }

    /// <summary>ACKs seen for later packets while this one is unacked (fast retransmit after 3).</summary>
    internal int LaterAcks { get; set; }

    public int Transmissions { get; internal set; }
}
