using System.Security.Cryptography.X509Certificates;
using FleetVpn.Protocol.Keys;
using FleetVpn.Server.Config;
using FleetVpn.Server.Scripts;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// A session's user scripts (auth-user-pass-verify, client-connect, client-disconnect): what each is told of the client,
/// and what its outcome does to the connect. The scripts themselves run on the <see cref="ScriptRunner"/>, off the workers.
/// </summary>
internal static class SessionScripts
{
    /// <summary>
    /// `auth-user-pass-verify`: runs the script on the username and password of the client's key-method-2 message (every
    /// negotiation, as OpenVPN checks them again at each renegotiation); null when it accepts, else why not.
    /// </summary>
    public static async Task<string?> VerifyUserPassAsync(ClientSession session, ScriptCommand script, KeyMethod2Message client, X509Certificate2 certificate,
        bool initial, CancellationToken lifetime)
    {
        var options = session.Server.Options;
        if (client.Username.Length == 0 && client.Password.Length == 0)
            return "no username/password from the client (auth-user-pass-verify wants them: the client needs auth-user-pass)";
        string username = ScriptEnvironment.SafeUsername(client.Username), password = ScriptEnvironment.SafePassword(client.Password);
        if (!initial && options.UsernameAsCommonName && username != session.CommonName)
            return $"username '{username}' differs from the one authenticated first ('{session.CommonName}')";
        var who = new ScriptClient
        {
            CommonName = session.CommonName,
            Username = username,
            RemoteEndPoint = session.RemoteEndPoint,
            Certificate = certificate,
            PeerInfo = client.PeerInfo,
            ConnectedSince = session.ConnectedSince,
        };
        // via-env below script-security 3: no password in the environment, as OpenVPN filters it.
        bool viaEnv = options.AuthUserPassVerifyMethod == PasswordPassing.ViaEnv;
        bool passwordInEnv = viaEnv && options.ScriptSecurity >= 3;
        var env = ScriptEnvironment.Build(ScriptEnvironment.UserPassVerify, who, options, session.Server.Tun.Name, passwordInEnv ? password : null);
        string? file = null;
        try
        {
            if (!viaEnv)
            {
                file = ScriptFiles.Create(options, "up", $"{username}\n{password}\n");
            }
            var outcome = await session.Server.Scripts.RunAsync(script, env, file is null ? [] : [file], $"{session.Name} auth-user-pass-verify", lifetime).ConfigureAwait(false);
            if (!outcome.Succeeded) return $"auth-user-pass-verify refused username '{username}' ({outcome})";
        }
        catch (IOException e)
        {
            return $"auth-user-pass-verify: cannot write its file: {e.Message}";
        }
        finally
        {
            ScriptFiles.Delete(file);
        }
        session.Server.Log.Write(3, $"{session.Name} username '{username}' accepted by auth-user-pass-verify");
        return null;
    }

    /// <summary>
    /// `client-connect`: runs the script once the client is authenticated and has its address (ifconfig_pool_remote_ip),
    /// then applies its dynamic config file (the script's last argument) on top of the ccd file, as OpenVPN does; an
    /// `ifconfig-push` or `iroute` there gives the client its addressing anew. A non-zero exit, a killed script or a
    /// dynamic file that does not parse refuses the client (nothing held).
    /// </summary>
    public static async Task<(ClientConfig? Ccd, ClientAddressing Addressing, string? Refusal)> ClientConnectAsync(ClientSession session, ScriptCommand script, ClientConfig? ccd,
        ClientAddressing addressing, X509Certificate2 certificate, KeyMethod2Message client, CancellationToken lifetime)
    {
        var options = session.Server.Options;
        var who = new ScriptClient
        {
            CommonName = session.CommonName,
            Username = client.Username.Length > 0 ? ScriptEnvironment.SafeUsername(client.Username) : null,
            RemoteEndPoint = session.RemoteEndPoint,
            Certificate = certificate,
            PeerInfo = client.PeerInfo,
            VirtualAddress = addressing.Address,
            VirtualNetmask = addressing.Netmask,
            ConnectedSince = session.ConnectedSince,
        };
        var env = ScriptEnvironment.Build(ScriptEnvironment.ClientConnect, who, options, session.Server.Tun.Name);
        string? file = null;
        ClientConfig dynamic;
        try
        {
            file = ScriptFiles.Create(options, "cc", "");
            var outcome = await session.Server.Scripts.RunAsync(script, env, [file], $"{session.Name} client-connect", lifetime).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                addressing.Release();
                return (ccd, addressing, $"client-connect {script.Text}: {outcome}");
            }
            dynamic = ClientConfigFile.ParseText(await File.ReadAllTextAsync(file, lifetime).ConfigureAwait(false), "client-connect dynamic config file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigException)
        {
            addressing.Release();
            return (ccd, addressing, $"client-connect: {e.Message}");
        }
        finally
        {
            ScriptFiles.Delete(file);
        }
        if (ReferenceEquals(dynamic, ClientConfig.Empty)) return (ccd, addressing, null);
        var merged = ccd is null ? dynamic : ccd.Then(dynamic);
        if (merged.Disable)
        {
            addressing.Release();
            return (merged, addressing, "disabled by the client-connect dynamic config file");
        }
        if (dynamic.IfconfigPush is null && dynamic.IRoutes.Count == 0) return (merged, addressing, null);
        addressing.Release();
        var readdressed = new ClientAddressing(session.Server, session);
        return (merged, readdressed, readdressed.Acquire(merged));
    }

    /// <summary>`client-disconnect`: started on the thread pool for a client that had connected; nobody waits for it.</summary>
    public static void RunClientDisconnect(ClientSession session)
    {
        if (session.Server.Options.ClientDisconnect is not { } script) return;
        var who = new ScriptClient
        {
            CommonName = session.CommonName,
            Username = session.Server.Options.UsernameAsCommonName ? session.CommonName : null,
            RemoteEndPoint = session.RemoteEndPoint,
            VirtualAddress = session.VirtualAddress,
            VirtualNetmask = session.Server.Pool.Mask,
            ConnectedSince = session.ConnectedSince,
            BytesReceived = Interlocked.Read(ref session.BytesReceived),
            BytesSent = Interlocked.Read(ref session.BytesSent),
        };
        var env = ScriptEnvironment.Build(ScriptEnvironment.ClientDisconnect, who, session.Server.Options, session.Server.Tun.Name);
        var log = session.Server.Log;
        string what = $"{session.Name} client-disconnect";
        _ = session.Server.Scripts.RunAsync(script, env, [], what).ContinueWith(run =>
        {
            if (!run.Result.Succeeded) log.Info($"{what} {script.Text}: {run.Result}", "client-disconnect");
        }, TaskScheduler.Default);
    }
}
