using FaqBot.Search.Embedding;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Search;

public sealed class EmbeddingCacheTests
{
    [Fact]
    public void Vectors_survive_a_restart_keyed_by_model_and_text()
    {
        var folder = TestPaths.NewTempFolder();
        var texts = new[] { "Rest for the day after your infusion.", "Bring a blanket." };
        var first = SentenceEmbedder.Shared.Embed(texts, new EmbeddingCache(folder));

        var reopened = new EmbeddingCache(folder);
        Assert.Equal(2, reopened.Count);
        Assert.False(reopened.WasRebuilt);
        Assert.Equal(first[0], reopened.TryGet(SentenceEmbedder.Key(texts[0])));
        Assert.Null(reopened.TryGet(SentenceEmbedder.Key("Something else entirely.")));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[0])]
    public void A_missing_truncated_or_foreign_cache_is_started_afresh_never_a_crash(byte[] junk)
    {
        var folder = TestPaths.NewTempFolder();
        SentenceEmbedder.Shared.Embed(["A sentence for the cache."], new EmbeddingCache(folder));
        var file = Directory.GetFiles(folder).Single();
        File.WriteAllBytes(file, File.ReadAllBytes(file).Take(40).Concat(junk).ToArray());

        var reopened = new EmbeddingCache(folder);
        Assert.Equal(0, reopened.Count);
        var vectors = SentenceEmbedder.Shared.Embed(["Another sentence."], reopened);
        Assert.Equal(SentenceEmbedder.Dimensions, vectors[0].Length);
        Assert.Equal(1, new EmbeddingCache(folder).Count);
    }

    [Fact]
    public void Queries_are_normalised_vectors_and_overlong_input_is_capped()
    {
        var vector = SentenceEmbedder.Shared.Query(new string('a', 20_000) + " can I drive afterward?");
        Assert.Equal(SentenceEmbedder.Dimensions, vector.Length);
        Assert.InRange(SentenceEmbedder.Dot(vector, vector), 0.99, 1.01);
    }
}
