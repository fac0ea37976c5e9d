using System.Reflection;

namespace FleetVpn.Server.Metrics.Dashboard;

/// <summary>
/// The dashboard (dashboard.html, embedded): one page with its styles and script inline and charts drawn as SVG by
/// that script, so it works on a machine without internet access (no CDN, no font or library to fetch).
/// </summary>
public static class DashboardPage
{
    public static string Html { get; } = Load();

    private static string Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("FleetVpn.Server.Dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
