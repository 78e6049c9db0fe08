using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Lifeline.Server.App;

/// <summary>
/// Keeps ASP.NET's data-protection keys (which sign the session cookie and antiforgery tokens) in
/// the store, so sessions survive a restart and every node of a cluster accepts every other's.
/// The keys are few and change every 90 days: the whole ring is one settings value.
/// </summary>
internal sealed class StoreKeyRing(ISettingsStore settings) : IXmlRepository
{
    private const string Key = "app.keyring";
    private readonly Lock _lock = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var stored = settings.GetAsync(Key, CancellationToken.None).GetAwaiter().GetResult();
        return string.IsNullOrEmpty(stored) ? [] : XElement.Parse(stored).Elements().ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_lock)
        {
            var stored = settings.GetAsync(Key, CancellationToken.None).GetAwaiter().GetResult();
            var ring = string.IsNullOrEmpty(stored) ? new XElement("keys") : XElement.Parse(stored);
            ring.Add(element);
            settings.SetAsync(Key, ring.ToString(SaveOptions.DisableFormatting), CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}
