namespace FleetVpn.Protocol.Wire;

/// <summary>Byte 0 of every packet: <c>(opcode &lt;&lt; 3) | key_id</c> (P_OPCODE_SHIFT 3, P_KEY_ID_MASK 0x07).</summary>
public static class PacketByte0
{
    public const int KeyIdMask = 0x07;
    public const int OpcodeShift = 3;

    public static Opcode GetOpcode(byte b) => (Opcode)(b >> OpcodeShift);
    public static int GetKeyId(byte b) => b & KeyIdMask;
    public static byte Make(Opcode opcode, int keyId) => (byte)(((int)opcode << OpcodeShift) | (keyId & KeyIdMask));

    public static bool IsData(Opcode opcode) => opcode is Opcode.DataV1 or Opcode.DataV2;

    /// <summary>Control opcodes that 2.6 accepts (P_FIRST_OPCODE 3 .. P_LAST_OPCODE 11, minus data).</summary>
    public static bool IsControl(Opcode opcode) =>
        opcode is Opcode.ControlSoftResetV1 or Opcode.ControlV1 or Opcode.AckV1
            or Opcode.ControlHardResetClientV2 or Opcode.ControlHardResetServerV2
            or Opcode.ControlHardResetClientV3 or Opcode.ControlWkcV1;
}
