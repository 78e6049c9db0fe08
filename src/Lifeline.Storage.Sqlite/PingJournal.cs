using System.Buffers;
using System.Runtime.InteropServices;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The writer's side of the ping journal (SqliteStore.Journal.cs): routine pings that are in the
/// <see cref="PingLog"/> but not yet in the database, and those of the open transaction, which
/// go to the log when it commits.
///
/// Generations say which records of the log the database holds. The database keeps a number (the
/// setting <c>pings.generation</c>) and every record carries the number current when it was
/// written. A fold that leaves nothing unfolded moves the database's number on, in its own
/// transaction, so every record written before it is known folded at once; records of the current
/// number may be folded already (a fold moves a chunk at a time), which the monitor's event count
/// tells. Only records of the current number are read back after a crash.
///
/// A fold writes each ping's event at once, but a monitor's row only now and then (see
/// <see cref="Remember"/>): a monitor pinged many times between two saves is written once. Its
/// event count then lags its events until the save, which a crash meanwhile makes harmless: the
/// records are read back and written again, to the same slots.
/// </summary>
internal sealed class PingJournal(PingLog log, long generation, List<object?[]> recovered)
{
    /// <summary>Once the log is this long, the next transaction folds everything and writes the log from its start again.</summary>
    public required long WrapAt { get; init; }

    private readonly List<object?[]> _pending = recovered;
    private readonly List<object?[]> _staged = [];
    private readonly ArrayBufferWriter<byte> _bytes = new(1 << 16);
    private long _generation = generation;
    private int _foldedPending;
    private bool _advanced;
    private bool _wrapping;

    // The newest state of each monitor whose pings are in events but not in its row, by monitor
    // id: as committed, and as this transaction's folds add to it. A save empties both; should
    // its transaction roll back, what was committed before comes back.
    private Dictionary<string, object?[]> _unsaved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object?[]> _unsavedInTransaction = new(StringComparer.Ordinal);
    private Dictionary<string, object?[]>? _unsavedBeforeSave;
    private long _savedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    // At start the log may hold what a crash left: the first fold clears this.
    private int _hint = 1;

    public PingLog Log => log;

    /// <summary>For the writer: records the database lacks, as the open transaction sees it.</summary>
    public bool Dirty => _pending.Count > _foldedPending || _staged.Count > 0;

    /// <summary>Whether some monitor's row lags its folded pings.</summary>
    public bool HasUnsaved => _unsaved.Count > 0 || _unsavedInTransaction.Count > 0;

    /// <summary>Whether monitors' rows have waited long enough for a save in idle time.</summary>
    public bool SaveDue => HasUnsaved && System.Diagnostics.Stopwatch.GetElapsedTime(_savedAt) >= TimeSpan.FromSeconds(1);

    /// <summary>A folded ping's values: its monitor's row takes them at the next save.</summary>
    public void Remember(string monitorId, object?[] values) => _unsavedInTransaction[monitorId] = values;

    /// <summary>The newest folded values of every monitor whose row lags.</summary>
    public IEnumerable<object?[]> ToSave() =>
        _unsaved.Where(m => !_unsavedInTransaction.ContainsKey(m.Key)).Select(m => m.Value).Concat(_unsavedInTransaction.Values);

    /// <summary>Records in the log that no fold has reached yet, outside the open transaction.</summary>
    public int Unfolded => _pending.Count - _foldedPending;

    /// <summary>For readers, on any thread: the log may hold pings that no committed fold has moved.</summary>
    public bool MayHaveRecords => Volatile.Read(ref _hint) != 0;

    /// <summary>Whether the log has grown enough to start it again (see <see cref="Wrap"/>).</summary>
    public bool WrapDue => log.Offset >= WrapAt;

    /// <summary>The generation of what this transaction writes.</summary>
    public long Generation => _advanced ? _generation + 1 : _generation;

    /// <summary>Stages one ping's values: written to the log when the transaction commits.</summary>
    public void Add(object?[] values)
    {
        PingLog.Encode(_bytes, Generation, values);
        _staged.Add(values);
        Volatile.Write(ref _hint, 1);
    }

    /// <summary>Up to <paramref name="max"/> records to fold next, oldest first: the log's, then this transaction's.</summary>
    public ReadOnlySpan<object?[]> NextToFold(int max)
    {
        var pending = CollectionsMarshal.AsSpan(_pending)[_foldedPending..];
        return pending.Length > 0 ? pending[..Math.Min(max, pending.Length)] : CollectionsMarshal.AsSpan(_staged)[..Math.Min(max, _staged.Count)];
    }

    /// <summary>The first <paramref name="count"/> records of <see cref="NextToFold"/> are folded in this transaction.</summary>
    public void Folded(int count)
    {
        if (_pending.Count > _foldedPending)
        {
            _foldedPending += count;
        }
        else
        {
            // This transaction's own records are in the database now: the log need not have them.
            _staged.RemoveRange(0, count);
            if (_staged.Count == 0)
            {
                _bytes.ResetWrittenCount();
            }
        }
    }

    /// <summary>
    /// Every row of <see cref="ToSave"/> was written in this transaction: true when that leaves
    /// nothing unfolded and the generation is to move on now (see <see cref="Advance"/>).
    /// </summary>
    public bool Saved()
    {
        _unsavedBeforeSave ??= _unsaved;
        _unsaved = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        _unsavedInTransaction.Clear();
        return Advance();
    }

    /// <summary>
    /// Moves the generation on in this transaction, once nothing is left unfolded: true if this
    /// call did, and the caller then stores <see cref="Generation"/> in the same transaction.
    /// </summary>
    public bool Advance()
    {
        if (_advanced || Dirty || HasUnsaved)
        {
            return false;
        }
        _advanced = true;
        return true;
    }

    /// <summary>
    /// This transaction has folded everything (<see cref="WrapDue"/>): at commit the log is written
    /// from its start again, over records the database now holds.
    /// </summary>
    public void Wrap() => _wrapping = true;

    /// <summary>
    /// After the transaction committed: writes its records to the log, at the log's start when
    /// wrapping (<paramref name="beforeWrap"/> first makes the folds of this transaction durable).
    /// </summary>
    public void Committed(Action beforeWrap)
    {
        if (_wrapping)
        {
            beforeWrap();
        }
        // Staged records still count as pending after a failed write: they are folded from memory
        // like any other, while their callers are told the write failed.
        _pending.RemoveRange(0, _foldedPending);
        _pending.AddRange(_staged);
        _staged.Clear();
        if (_advanced)
        {
            _generation++;
        }
        _foldedPending = 0;
        _advanced = false;
        foreach (var (id, values) in _unsavedInTransaction)
        {
            _unsaved[id] = values;
        }
        _unsavedInTransaction.Clear();
        if (_unsavedBeforeSave is not null)
        {
            _unsavedBeforeSave = null;
            _savedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        var wrapping = _wrapping;
        _wrapping = false;
        Volatile.Write(ref _hint, _pending.Count > 0 || _unsaved.Count > 0 ? 1 : 0);
        try
        {
            if (_bytes.WrittenCount > 0 || wrapping)
            {
                log.Write(_bytes.WrittenSpan, fromStart: wrapping);
            }
        }
        finally
        {
            _bytes.ResetWrittenCount();
        }
    }

    public void RolledBack()
    {
        _staged.Clear();
        _bytes.ResetWrittenCount();
        _foldedPending = 0;
        _advanced = false;
        _wrapping = false;
        // Rows saved in this transaction are not saved after all; what its folds remembered, they
        // remember again when the pings are folded once more.
        if (_unsavedBeforeSave is not null)
        {
            _unsaved = _unsavedBeforeSave;
            _unsavedBeforeSave = null;
        }
        _unsavedInTransaction.Clear();
        Volatile.Write(ref _hint, _pending.Count > 0 || _unsaved.Count > 0 ? 1 : 0);
    }
}
