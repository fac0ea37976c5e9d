using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Reliability;

/// <summary>
/// One key-id's reliable control link between two session ids: feeds received control packets
/// into the windows, cuts outgoing TLS bytes into P_CONTROL_V1 payloads, and produces the
/// datagrams to send (due packets with up to 4 piggy-backed ACKs, then P_ACK_V1 for the rest).
/// Unwrapped packets only; a wrapper (tls-auth/tls-crypt) is applied by the caller.
/// </summary>
public sealed class ReliableLink
{
    /// <summary>
    /// TLS bytes per control packet: 1250 (tls-mtu) − 28 (IPv4+UDP) − 1 − 8 − 4 − (1 + 8 + 4·4) (ACKs)
    /// − 56 (tls-crypt budget), rounded down: every packet stays under 1250 bytes on the wire.
    /// </summary>
    public const int MaxTlsPayload = 1100;

    private readonly List<OutgoingControlPacket> _due = new();

    public ReliableLink(SessionId own, SessionId remote, int keyId, uint firstSendId, uint firstExpected, long initialTimeoutMs)
    {
        Own = own;
        Remote = remote;
        KeyId = keyId;
        Sender = new ReliableSendWindow(firstSendId, initialTimeoutMs);
        Receiver = new ReliableReceiveWindow(firstExpected);
    }

    public SessionId Own { get; }
    public SessionId Remote { get; }
    public int KeyId { get; }
    public ReliableSendWindow Sender { get; }
    public ReliableReceiveWindow Receiver { get; }

    /// <summary>
    /// Applies a received packet's ACKs and message. False (drop the whole packet) when its ACK
    /// block names another remote session id, as <c>reliable_ack_read()</c> does.
    /// </summary>
    public bool OnPacket(in ControlPacket packet, out ReceiveResult result)
    {
        result = ReceiveResult.Duplicate;
        if (packet.AckCount > 0)
        {
            if (packet.RemoteSessionId != Own) return false;
            for (int i = 0; i < packet.AckCount; i++) Sender.Acknowledge(packet.GetAck(i));
        }
        if (packet.HasMessageId) result = Receiver.Receive(packet.Opcode, packet.MessageId, packet.Payload);
        return true;
    }

    /// <summary>Queues TLS ciphertext as consecutive P_CONTROL_V1 packets.</summary>
    public void EnqueueTls(ReadOnlySpan<byte> ciphertext)
    {
        for (int pos = 0; pos < ciphertext.Length; pos += MaxTlsPayload)
            Sender.Enqueue(Opcode.ControlV1, ciphertext.Slice(pos, Math.Min(MaxTlsPayload, ciphertext.Length - pos)).ToArray());
    }

    /// <summary>Builds every datagram due at <paramref name="nowMs"/>.</summary>
    public void Flush(long nowMs, List<byte[]> datagrams)
    {
        _due.Clear();
        Sender.CollectDue(nowMs, _due);
        Span<uint> acks = stackalloc uint[ControlPacket.MaxAcks];
        foreach (var p in _due)
        {
            int n = Receiver.TakeAcks(acks, ControlPacket.MaxPiggybackAcks);
            var datagram = new byte[ControlPacket.GetSize(n, true, p.Payload.Length)];
            ControlPacket.Write(datagram, p.Opcode, KeyId, Own, acks[..n], Remote, p.MessageId, p.Payload);
            datagrams.Add(datagram);
        }
        while (Receiver.PendingAckCount > 0)
        {
            int n = Receiver.TakeAcks(acks, ControlPacket.MaxAcks);
            var datagram = new byte[ControlPacket.GetSize(n, false, 0)];
            ControlPacket.Write(datagram, Opcode.AckV1, KeyId, Own, acks[..n], Remote, 0, default);
            datagrams.Add(datagram);
        }
    }
}
