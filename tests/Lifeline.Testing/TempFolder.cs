namespace Lifeline.Testing;

/// <summary>A fresh folder under the system temp folder, deleted on dispose (a leftover is harmless).</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Directory.CreateDirectory(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (a killed process's) leaves the folder behind: harmless.
        }
    }
}
