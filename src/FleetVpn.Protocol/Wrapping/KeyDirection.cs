namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// <c>--key-direction</c> / the direction argument of <c>--tls-auth file [0|1]</c>
/// (KEY_DIRECTION_* in crypto.h, <c>key_direction_state_init()</c> in crypto.c, §3.1). Maps to slots
/// with <see cref="StaticKey.SendSlot"/> and <see cref="StaticKey.ReceiveSlot"/>.
/// </summary>
public enum KeyDirection
{
    /// <summary>No direction: both directions use keys[0].</summary>
    Bidirectional = 0,

    /// <summary>key-direction 0 ("normal", the server's convention): sends with keys[0], receives with keys[1].</summary>
    Normal = 1,

    /// <summary>key-direction 1 ("inverse", the client's convention): sends with keys[1], receives with keys[0].</summary>
    Inverse = 2,
}
