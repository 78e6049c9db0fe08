namespace Lifeline.Storage.Copy;

/// <summary>
/// One table <see cref="StoreCopy"/> moves. Its columns are not listed: every column both databases
/// have is copied as it is, so a column added to both stores' migrations is copied without a change
/// here, and a column only PostgreSQL has (a generated one, a node's claim) is left to its default.
/// </summary>
/// <param name="Name">The table's name, the same in both databases.</param>
public sealed record CopiedTable(string Name)
{
    /// <summary>
    /// A SQLite condition that picks the rows to copy (the table is <c>t</c>), e.g.
    /// <c>WHERE t.key &lt;&gt; 'x'</c>; <c>{ring}</c> stands for the PostgreSQL event ring size. Empty: every row.
    /// </summary>
    public string Filter { get; init; } = "";

    /// <summary>Columns whose value is a SQLite expression over <c>t</c> rather than the stored value (<c>{ring}</c> as in <see cref="Filter"/>).</summary>
    public IReadOnlyDictionary<string, string> Computed { get; init; } = new Dictionary<string, string>();
}
