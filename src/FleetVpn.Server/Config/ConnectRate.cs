namespace FleetVpn.Server.Config;

/// <summary>At most <paramref name="Count"/> events per <paramref name="Seconds"/> seconds (<c>connect-freq</c>, <c>connect-freq-initial</c>).</summary>
public readonly record struct ConnectRate(int Count, int Seconds)
{
    public override string ToString() => $"{Count} per {Seconds} s";
}
