using System.Xml.Linq;
using FleetVpn.Platform.Memory;

namespace FleetVpn.Platform.Tests;

public sealed class NativeHeapTests
{
    [Fact]
    public void The_malloc_report_is_glibc_xml_with_each_arena_and_the_totals()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fleetvpn-malloc-info-{Environment.ProcessId}.xml");
        try
        {
            Assert.True(NativeHeap.WriteReport(path));
            var report = XElement.Load(path);
            Assert.Equal("malloc", report.Name.LocalName);
            Assert.NotEmpty(report.Elements("heap"));
            Assert.Contains(report.Elements("system"), e => (string?)e.Attribute("type") == "current" && long.Parse((string)e.Attribute("size")!) > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_report_to_a_path_that_cannot_be_opened_says_so()
    {
        Assert.False(NativeHeap.WriteReport("/nonexistent-directory/report.xml"));
    }
}
