namespace Lifeline.Storage.Copy;

/// <summary>Progress of one table: <paramref name="Done"/> of <paramref name="Total"/> rows read and sent, <paramref name="Added"/> of them new.</summary>
public sealed record CopyProgress(string Table, long Done, long Total, long Added);
