using FaqBot.Search.Embedding;

namespace FaqBot.Tests.Search;

/// <summary>Concurrent questions share one inference call; each caller gets its own vectors.</summary>
public sealed class QueryBatcherTests
{
    [Fact]
    public async Task Questions_arriving_while_the_model_runs_go_in_together_and_each_caller_gets_its_own_vectors()
    {
        using var release = new ManualResetEventSlim(false);
        var calls = new List<string[]>();
        var batcher = new QueryBatcher(texts =>
        {
            lock (calls)
            {
                calls.Add(texts);
            }

            if (calls.Count == 1)
            {
                release.Wait(TimeSpan.FromMinutes(1)); // the first inference is "running" while others arrive
            }

            return [.. texts.Select(t => new float[] { t.Length })];
        });

        var first = Task.Run(() => batcher.Encode(["a"]));
        while (calls.Count == 0)
        {
            await Task.Delay(5);
        }

        var others = Enumerable.Range(2, 4).Select(n => Task.Run(() => batcher.Encode([new string('b', n), new string('c', n * 10)]))).ToList();
        while (batcher.Queued < 4)
        {
            await Task.Delay(5);
        }

        release.Set();
        var results = await Task.WhenAll(others);

        Assert.Equal(1f, Assert.Single((await first)[0]));
        Assert.Equal(2, calls.Count);
        Assert.Equal(8, calls[1].Length); // the four waiting requests, two texts each, in one call
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal([i + 2f, (i + 2) * 10f], results[i].Select(v => v[0]));
        }

        Assert.Equal(0, batcher.Queued);
        Assert.Equal(9, batcher.Texts);
    }

    [Fact]
    public void A_failed_inference_fails_its_callers_and_the_next_question_is_served()
    {
        var fail = true;
        var batcher = new QueryBatcher(texts => fail ? throw new InvalidOperationException("model broke") : [.. texts.Select(_ => new float[] { 1 })]);

        Assert.Throws<InvalidOperationException>(() => batcher.Encode(["x"]));
        fail = false;

        Assert.Single(batcher.Encode(["y"]));
    }
}
