namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>What a series of pings left: echo requests sent, answers received, and ping's own output.</summary>
public sealed record PingTally(int Transmitted, int Received, CommandResult Command)
{
    public int Lost => Transmitted - Received;

    public override string ToString() => $"{Transmitted} sent, {Received} answered, {Lost} lost\n{Command}";
}
