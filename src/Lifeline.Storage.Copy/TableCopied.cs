namespace Lifeline.Storage.Copy;

/// <summary>What <see cref="StoreCopy"/> did with one table.</summary>
/// <param name="Table">The table's name.</param>
/// <param name="InSource">False when the SQLite store has no such table (an older store): nothing to copy.</param>
/// <param name="Rows">Rows of the SQLite table that are copied (after <see cref="CopiedTable.Filter"/>).</param>
/// <param name="Added">Rows that were new to PostgreSQL and were inserted.</param>
/// <param name="Differing">
/// Rows that PostgreSQL already held (same key) with other content, or that another unique value
/// kept out (a slug, a push token): left as PostgreSQL has them.
/// </param>
/// <param name="LeftOut">SQLite columns PostgreSQL does not have, so their values were not copied.</param>
public sealed record TableCopied(string Table, bool InSource, long Rows, long Added, long Differing, IReadOnlyList<string> LeftOut)
{
    /// <summary>Rows PostgreSQL already held, the same or not.</summary>
    public long AlreadyThere => Rows - Added;
}
