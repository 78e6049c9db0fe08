using System.Text.Json;
using Lifeline.Core.Probes;

namespace Lifeline.Cli.Probe;

/// <summary>
/// The probe's credential, kept in the spool folder after the first enrolment so later starts need
/// no token. Written whole to a temporary file (mode 0600 from the start) and renamed into place,
/// so a crash never leaves half a credential.
/// </summary>
internal static class CredentialFile
{
    /// <summary>The saved enrolment, or null when there is none. Throws <see cref="InvalidDataException"/> when the file is not readable.</summary>
    public static EnrollAnswer? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var saved = JsonSerializer.Deserialize(File.ReadAllText(path), ProbeJson.Default.EnrollAnswer);
            if (saved is null || string.IsNullOrWhiteSpace(saved.Credential))
            {
                throw new InvalidDataException($"{path} holds no credential");
            }
            return saved;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a probe credential: {ex.Message}", ex);
        }
    }

    public static void Save(string path, EnrollAnswer enrolment)
    {
        var temporary = path + ".new";
        // A leftover from a crash would keep its own mode: start afresh so the new file is created 0600.
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var file = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(file, enrolment, ProbeJson.Default.EnrollAnswer);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
