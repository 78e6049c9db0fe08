namespace Lifeline.Storage.Postgres.Tests;

/// <summary>
/// How a batch's callers are answered: not on the lane, and when the batch fails, wholly or after
/// a part of it was committed.
/// </summary>
public sealed class GroupCommitTests
{
    private sealed class Cause(string message) : Exception(message);

    /// <summary>
    /// A group commit with one lane whose batches are <paramref name="together"/>; a write run
    /// alone answers "alone:" and its input, and <paramref name="final"/> says which failures are passed on as they are.
    /// </summary>
    private static GroupCommit<string, string> Lane(Func<IReadOnlyList<string>, Task<IReadOnlyList<string>>> together, Func<Exception, bool> final, List<string> ranAlone) =>
        new(1, 10, (batch, _) => together(batch), (input, _) =>
        {
            lock (ranAlone)
            {
                ranAlone.Add(input);
            }
            return Task.FromResult("alone:" + input);
        }, final);

    /// <summary>Queues <paramref name="inputs"/> while the lane is busy with a first write, so that they make one batch.</summary>
    private static async Task<List<Task<string>>> QueueTogetherAsync(GroupCommit<string, string> lane, Gate gate, params string[] inputs)
    {
        var first = lane.RunAsync("first", CancellationToken.None);
        await gate.Entered.Task;
        var queued = inputs.Select(i => lane.RunAsync(i, CancellationToken.None)).ToList();
        gate.Open.SetResult();
        (await first).ShouldBe("together:first");
        return queued;
    }

    /// <summary>Where the first write waits: entered when its batch runs, open when the test lets it go on.</summary>
    private sealed class Gate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static Func<IReadOnlyList<string>, Task<IReadOnlyList<string>>> FirstWaitsThen(Gate gate, Func<IReadOnlyList<string>, IReadOnlyList<string>> then) =>
        async batch =>
        {
            if (batch is ["first"])
            {
                gate.Entered.SetResult();
                await gate.Open.Task;
                return ["together:first"];
            }
            return then(batch);
        };

    [Fact]
    public async Task After_a_partly_committed_batch_the_committed_callers_get_their_results_and_the_rest_run_alone()
    {
        var gate = new Gate();
        var alone = new List<string>();
        await using var lane = Lane(FirstWaitsThen(gate, batch =>
            throw new PartlyCommittedException<string>([true, false, true], ["together:a", null, "together:c"], new Cause("deadlock"))), _ => false, alone);

        var answers = await Task.WhenAll(await QueueTogetherAsync(lane, gate, "a", "b", "c"));

        answers.ShouldBe(["together:a", "alone:b", "together:c"]);
        alone.ShouldBe(["b"]);
    }

    [Fact]
    public async Task After_a_partly_committed_batch_whose_rest_failed_for_want_of_the_database_the_rest_get_that_failure()
    {
        var gate = new Gate();
        var alone = new List<string>();
        await using var lane = Lane(FirstWaitsThen(gate, batch =>
            throw new PartlyCommittedException<string>([false, true], [null, "together:b"], new Cause("gone"))), ex => ex is Cause, alone);

        var queued = await QueueTogetherAsync(lane, gate, "a", "b");

        (await Should.ThrowAsync<Cause>(queued[0])).Message.ShouldBe("gone");
        (await queued[1]).ShouldBe("together:b");
        alone.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_caller_that_blocks_after_its_answer_does_not_hold_up_the_batches_after_its_own()
    {
        // Callers are answered on the thread pool with their continuations inline, so a caller
        // that does slow work after its answer does it there, not on the lane. (Callers answered
        // by the same work item, of the same batch, do wait for it.)
        var gate = new Gate();
        var alone = new List<string>();
        await using var lane = Lane(FirstWaitsThen(gate, batch => [.. batch.Select(i => "together:" + i)]), _ => false, alone);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var first = lane.RunAsync("first", CancellationToken.None);
        await gate.Entered.Task;
        // Attached while the batch is still running, so it runs where the answer is given.
        var blocking = first.ContinueWith(t =>
        {
            blocked.SetResult();
            release.Wait(TimeSpan.FromSeconds(30));
            return t.Result;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        gate.Open.SetResult();
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var next = lane.RunAsync("next", CancellationToken.None);

        (await next.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe("together:next");
        blocking.IsCompleted.ShouldBeFalse();
        release.Set();
        (await blocking).ShouldBe("together:first");
    }
}
