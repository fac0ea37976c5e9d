namespace FleetVpn.Protocol.Wire;

/// <summary>The 5-bit packet opcode in the top bits of byte 0 (OpenVPN <c>ssl_pkt.h</c>).</summary>
public enum Opcode : byte
{
    /// <summary>P_CONTROL_HARD_RESET_CLIENT_V1 (key-method 1, obsolete).</summary>
    ControlHardResetClientV1 = 1,
    /// <summary>P_CONTROL_HARD_RESET_SERVER_V1 (obsolete).</summary>
    ControlHardResetServerV1 = 2,
    /// <summary>P_CONTROL_SOFT_RESET_V1: starts a renegotiation of the key-id it carries.</summary>
    ControlSoftResetV1 = 3,
    /// <summary>P_CONTROL_V1: reliable control packet carrying TLS bytes.</summary>
    ControlV1 = 4,
    /// <summary>P_ACK_V1: acknowledgements only.</summary>
    AckV1 = 5,
    /// <summary>P_DATA_V1: data packet without peer-id.</summary>
    DataV1 = 6,
    /// <summary>P_CONTROL_HARD_RESET_CLIENT_V2: a client starts a session (key-method 2).</summary>
    ControlHardResetClientV2 = 7,
    /// <summary>P_CONTROL_HARD_RESET_SERVER_V2: the server's answer to a hard reset.</summary>
    ControlHardResetServerV2 = 8,
    /// <summary>P_DATA_V2: data packet with a 24-bit peer-id.</summary>
    DataV2 = 9,
    /// <summary>P_CONTROL_HARD_RESET_CLIENT_V3: like V2 with a tls-crypt-v2 wrapped client key.</summary>
    ControlHardResetClientV3 = 10,
    /// <summary>P_CONTROL_WKC_V1: P_CONTROL_V1 with the wrapped client key appended.</summary>
    ControlWkcV1 = 11,
}
