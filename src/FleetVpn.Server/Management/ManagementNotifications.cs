using System.Globalization;
using System.Text;
using System.Threading.Channels;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Management;

/// <summary>
/// The real-time client notifications: <c>&gt;CLIENT:CONNECT</c> and <c>&gt;CLIENT:ESTABLISHED</c> when a client
/// is admitted, <c>&gt;CLIENT:DISCONNECT</c> when it leaves, each followed by <c>&gt;CLIENT:ENV,name=value</c> lines
/// and <c>&gt;CLIENT:ENV,END</c> (OpenVPN's <c>management_connection_established()</c> and neighbours in manage.c).
/// The thread that admits or drops a client (a worker, a TLS task) only writes an event into a bounded channel
/// (a full one drops the event and counts it); the formatting and the sending happen on a task of their own.
/// </summary>
/// <remarks>
/// FleetVPN decides admission itself (there is no management-client-auth), so CONNECT is informational and
/// asks for no client-auth reply; OpenVPN without management-client-auth sends ESTABLISHED only.
/// </remarks>
public sealed class ManagementNotifications : ISessionObserver
{
    private const int QueueCapacity = 100_000;

    private readonly Channel<SessionEvent> _events = Channel.CreateBounded<SessionEvent>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Func<bool> _anyListener;
    private readonly Func<int> _clientCount;
    private readonly Action<string> _broadcast;
    private long _dropped;

    private readonly record struct SessionEvent(ClientSession Session, bool Connected, string? Reason, DateTime At);

    /// <param name="anyListener">Whether a management client is connected (no events are made for nobody).</param>
    /// <param name="clientCount">The clients connected now (n_clients).</param>
    /// <param name="broadcast">Sends a block of lines to every authenticated management client.</param>
    public ManagementNotifications(Func<bool> anyListener, Func<int> clientCount, Action<string> broadcast)
    {
        _anyListener = anyListener;
        _clientCount = clientCount;
        _broadcast = broadcast;
    }

    /// <summary>Events dropped because the formatting task fell behind by <see cref="QueueCapacity"/>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Established(ClientSession session) => Post(new SessionEvent(session, true, null, DateTime.Now));

    public void Closed(ClientSession session, string reason)
    {
        // Only clients that were admitted (first keys installed) are announced, so only they are said to leave.
        if (session.Keys is not null) Post(new SessionEvent(session, false, reason, DateTime.Now));
    }

    private void Post(SessionEvent e)
    {
        if (!_anyListener()) return;
        if (!_events.Writer.TryWrite(e)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Formats and sends the events until <paramref name="cancellation"/>; what was queued by then is still sent.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            while (await _events.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
                Drain();
        }
        catch (OperationCanceledException)
        {
            Drain();
        }
    }

    private void Drain()
    {
        while (_events.Reader.TryRead(out var e)) _broadcast(Format(e));
    }

    private string Format(SessionEvent e)
    {
        var text = new StringBuilder();
        int cid = e.Session.PeerId;
        if (e.Connected)
        {
            text.Append(">CLIENT:CONNECT,").Append(cid).Append(",0\r\n");
            AppendEnvironment(text, e, withClientCount: true);
            text.Append(">CLIENT:ESTABLISHED,").Append(cid).Append("\r\n");
            AppendEnvironment(text, e, withClientCount: true);
        }
        else
        {
            text.Append(">CLIENT:DISCONNECT,").Append(cid).Append("\r\n");
            AppendEnvironment(text, e, withClientCount: false);
        }
        return text.ToString();
    }

    /// <summary>The variables OpenVPN gives a client-connect / client-disconnect script, those FleetVPN knows.</summary>
    private void AppendEnvironment(StringBuilder text, SessionEvent e, bool withClientCount)
    {
        var session = e.Session;
        var remote = session.RemoteEndPoint;
        string ip = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4().ToString() : remote.Address.ToString();
        void Env(string name, string value) => text.Append(">CLIENT:ENV,").Append(name).Append('=').Append(value).Append("\r\n");
        if (withClientCount) Env("n_clients", _clientCount().ToString(CultureInfo.InvariantCulture));
        Env("common_name", session.CommonName);
        Env("trusted_ip", ip);
        Env("trusted_port", remote.Port.ToString(CultureInfo.InvariantCulture));
        Env("untrusted_ip", ip);
        Env("untrusted_port", remote.Port.ToString(CultureInfo.InvariantCulture));
        if (session.VirtualAddress != 0) Env("ifconfig_pool_remote_ip", AddressPool.ToAddress(session.VirtualAddress).ToString());
        if (session.Keys is { } keys) Env("data_channel_cipher", keys.Cipher.Name);
        if (!e.Connected)
        {
            Env("bytes_received", Interlocked.Read(ref session.BytesReceived).ToString(CultureInfo.InvariantCulture));
            Env("bytes_sent", Interlocked.Read(ref session.BytesSent).ToString(CultureInfo.InvariantCulture));
            Env("time_duration", ((long)Math.Max(0, (e.At - session.ConnectedSince).TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            Env("disconnect_reason", e.Reason ?? "");
        }
        var since = e.Connected ? e.At : session.ConnectedSince;
        Env("time_ascii", since.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        Env("time_unix", Status.StatusRenderer.UnixTime(since).ToString(CultureInfo.InvariantCulture));
        text.Append(">CLIENT:ENV,END\r\n");
    }
}
