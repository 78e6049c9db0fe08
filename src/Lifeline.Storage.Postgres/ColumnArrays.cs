using System.Globalization;
using Npgsql;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// Many rows passed to one statement as one typed array per column, read back with
/// <c>unnest</c>: PostgreSQL takes them in its binary format, with no text to parse, and only the
/// columns named. Rows are parameter lists as the store's writes make them ("@column", value).
/// </summary>
internal sealed class ColumnArrays(string prefix, params (string Column, string Type)[] columns)
{
    /// <summary>The row source: <c>unnest(@p_a::text[], ...) AS alias(a, ...)</c>.</summary>
    public string Unnest(string alias) =>
        $"unnest({string.Join(", ", columns.Select(c => $"@{prefix}{c.Column}::{c.Type}[]"))}) AS {alias}({string.Join(", ", columns.Select(c => c.Column))})";

    /// <summary>The column names, comma separated, in the order of <see cref="Unnest"/>.</summary>
    public string Names => string.Join(", ", columns.Select(c => c.Column));

    /// <summary>
    /// "a = alias.a, ...": every column but the <paramref name="keys"/> (the id when none are
    /// given) set from <paramref name="alias"/>, for an UPDATE.
    /// </summary>
    public string Assignments(string alias, params string[] keys)
    {
        string[] skipped = keys.Length == 0 ? ["id"] : keys;
        return string.Join(", ", columns.Where(c => !skipped.Contains(c.Column)).Select(c => $"{c.Column} = {alias}.{c.Column}"));
    }

    /// <summary>These columns and <paramref name="more"/> after them.</summary>
    public ColumnArrays With(params (string Column, string Type)[] more) => new(prefix, [.. columns, .. more]);

    /// <summary>Adds one array parameter per column holding <paramref name="rows"/>' values.</summary>
    public void AddTo(NpgsqlParameterCollection parameters, IReadOnlyList<(string Name, object? Value)[]> rows)
    {
        if (rows.Count > 0 && rows[0].Length != columns.Length)
        {
            // A column added to the rows but not here would be dropped without a word.
            throw new InvalidOperationException($"The rows have {rows[0].Length} columns, {prefix} arrays {columns.Length}");
        }
        foreach (var (column, type) in columns)
        {
            var at = rows.Count == 0 ? -1 : Array.FindIndex(rows[0], p => p.Name == "@" + column);
            if (rows.Count > 0 && at < 0)
            {
                throw new InvalidOperationException($"The rows have no {column}");
            }
            var name = prefix + column;
            parameters.Add(type switch
            {
                // PostgreSQL text cannot hold U+0000 (SQLite can): it is stored as U+FFFD, as in Session.Command.
                "text" => new NpgsqlParameter<string?[]>(name, [.. rows.Select(r => r[at].Value switch
                {
                    null => null,
                    string s => s.Replace('\0', '\uFFFD'),
                    var other => throw new NotSupportedException($"{column}: {other.GetType().Name} is not text"),
                })]),
                "bigint" => new NpgsqlParameter<long?[]>(name, [.. rows.Select(r => r[at].Value is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : (long?)null)]),
                "integer" => new NpgsqlParameter<int?[]>(name, [.. rows.Select(r => r[at].Value is { } v ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : (int?)null)]),
                "double precision" => new NpgsqlParameter<double?[]>(name, [.. rows.Select(r => r[at].Value is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : (double?)null)]),
                "boolean" => new NpgsqlParameter<bool?[]>(name, [.. rows.Select(r => (bool?)r[at].Value)]),
                _ => throw new NotSupportedException($"{column}: {type} columns are not passed as arrays"),
            });
        }
    }
}
