namespace FleetVpn.Server.Sessions;

/// <summary>`comp-lzo` framing bytes (comp.h): FleetVPN never compresses (VORACLE), it only frames.</summary>
public static class CompLzo
{
    /// <summary>NO_COMPRESS: the payload after this byte is not compressed.</summary>
    public const byte NotCompressed = 0xFA;
}
