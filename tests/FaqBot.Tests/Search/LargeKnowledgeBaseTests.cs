using FaqBot.Search;
using FaqBot.Search.Analysis;
using FaqBot.Tests.Infrastructure;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;

namespace FaqBot.Tests.Search;

/// <summary>
/// What a knowledge base above <see cref="SearchOptions.ExhaustiveDenseLimit"/> does differently: BM25 scores only the
/// units of the articles it ranks best as whole articles. The real articles stand in for a large knowledge base by
/// setting the limit to 0.
/// </summary>
public sealed class LargeKnowledgeBaseTests
{
    private const string Question = "can I drive home myself after the infusion?";

    [Fact]
    public void Bm25_scores_only_the_units_of_the_articles_it_ranks_best()
    {
        using var one = TestPaths.Knowledge(search: Large(articles: 1));
        using var all = TestPaths.Knowledge(search: Large(articles: 0));

        var gated = one.Current.Search(Question).Ranked.Where(r => r.RawBm25 > 0).Select(r => r.Passage.Source).Distinct().ToList();
        var everywhere = all.Current.Search(Question).Ranked.Where(r => r.RawBm25 > 0).Select(r => r.Passage.Source).Distinct().ToList();

        Assert.Single(gated);
        Assert.True(everywhere.Count > 1, "without the gate, BM25 finds candidates in several articles");
        Assert.Contains(gated[0], everywhere);
        Assert.Contains("driv", one.Current.Search(Question).Best!.Passage.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Choosing_every_article_ranks_exactly_as_scoring_every_unit()
    {
        using var gated = TestPaths.Knowledge(search: Large(articles: 100));
        using var everywhere = TestPaths.Knowledge(search: Large(articles: 0));
        foreach (var question in new[] { Question, "what does an infusion feel like", "is nausea normal afterwards", "acne" })
        {
            var expected = everywhere.Current.Search(question).Ranked.Select(r => (r.Passage.Source, r.Passage.Id, r.Score, r.RawBm25)).ToList();
            var actual = gated.Current.Search(question).Ranked.Select(r => (r.Passage.Source, r.Passage.Id, r.Score, r.RawBm25)).ToList();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void The_articles_are_chosen_by_the_question_s_most_distinctive_words()
    {
        // "caffeine" is in one article only; the other words are in every article, and come first.
        const string question = "depression treatment ketamine therapy and caffeine";
        using var knowledge = TestPaths.Knowledge(search: new SearchOptions { ExhaustiveDenseLimit = 0, LargeArticles = 1, LargeArticleWords = 1 });
        var withCaffeine = knowledge.Current.Knowledge.Articles.Where(a => a.Text.Contains("caffeine", StringComparison.OrdinalIgnoreCase)).ToList();

        var gated = knowledge.Current.Search(question).Ranked.Where(r => r.RawBm25 > 0).Select(r => r.Passage.Source).Distinct().ToList();

        Assert.Single(withCaffeine);
        Assert.Equal([withCaffeine[0].Source], gated);
    }

    [Fact]
    public void Term_states_looked_up_once_per_field_and_segment_score_as_lucene_own_lookup()
    {
        using var directory = new RAMDirectory();
        var config = new IndexWriterConfig(TextAnalysis.Version, TextAnalysis.Stems) { Similarity = new BM25Similarity(), MergePolicy = NoMergePolicy.COMPOUND_FILES };
        using (var writer = new IndexWriter(directory, config))
        {
            // Three segments; "nausea" only in the first, "drive" in two, "zebra" nowhere.
            foreach (var segment in new[]
            {
                new[] { "nausea can follow an infusion", "rest after the infusion", "nausea passes within hours" },
                new[] { "do not drive after an infusion", "a friend can drive you home" },
                new[] { "drive carefully the next day", "the infusion room is quiet", "music helps some patients relax" },
            })
            {
                foreach (var text in segment)
                {
                    writer.AddDocument([new TextField("body", text, Field.Store.NO), new TextField("title", "after an infusion", Field.Store.NO)]);
                }

                writer.Commit();
            }
        }

        using var reader = DirectoryReader.Open(directory);
        Assert.Equal(3, reader.Leaves.Count);
        var searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        Term[] terms = [new("body", "nausea"), new("body", "drive"), new("body", "infus"), new("body", "zebra"), new("title", "infus"), new("title", "drive")];
        var states = TermStates.Of(reader, terms);

        BooleanQuery Query(Func<Term, TermQuery> termQuery)
        {
            var query = new BooleanQuery();
            foreach (var term in terms)
            {
                var clause = termQuery(term);
                clause.Boost = term.Field == "title" ? 0.2f : 1f;
                query.Add(clause, Occur.SHOULD);
            }

            return query;
        }

        var plain = searcher.Search(Query(t => new TermQuery(t)), 10).ScoreDocs.Select(d => (d.Doc, d.Score)).ToList();
        var looked = searcher.Search(Query(t => new TermQuery(t, states[t])), 10).ScoreDocs.Select(d => (d.Doc, d.Score)).ToList();

        Assert.Equal(8, plain.Count);
        Assert.Equal(plain, looked);
        Assert.All(terms, t => Assert.Equal(reader.DocFreq(t), states[t].DocFreq));
        Assert.Equal(0, states[new Term("body", "zebra")].DocFreq);
    }

    [Fact]
    public void A_flat_disjunction_scored_out_of_order_ranks_articles_as_the_nested_word_groups_do()
    {
        // BestArticles asks one flat disjunction of the groups' terms, scored out of order: under BM25 (coord and query
        // norm 1) it scores as a disjunction of groups of alternatives does.
        using var directory = new RAMDirectory();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(TextAnalysis.Version, TextAnalysis.Stems) { Similarity = new BM25Similarity() }))
        {
            foreach (var text in new[]
            {
                "do not drive after an infusion; a friend can drive you home", "nausea can follow an infusion", "rest at home",
                "the car ride home is fine with a driver", "music and rest help nausea pass", "an infusion takes forty minutes",
            })
            {
                writer.AddDocument([new TextField("body", text, Field.Store.NO)]);
            }
        }

        using var reader = DirectoryReader.Open(directory);
        var searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        (string Term, float Boost)[][] groups = [[("drive", 1f), ("car", 0.6f)], [("home", 1f)], [("nausea", 1f), ("infus", 0.6f)]];
        var nested = new BooleanQuery();
        var flat = new BooleanQuery();
        foreach (var group in groups)
        {
            var alternatives = new BooleanQuery();
            foreach (var (term, boost) in group)
            {
                alternatives.Add(new TermQuery(new Term("body", term)) { Boost = boost }, Occur.SHOULD);
                flat.Add(new TermQuery(new Term("body", term)) { Boost = boost }, Occur.SHOULD);
            }

            nested.Add(alternatives, Occur.SHOULD);
        }

        List<(int Doc, float Score)> Top(Query query, bool inOrder)
        {
            var collector = TopScoreDocCollector.Create(10, docsScoredInOrder: inOrder);
            searcher.Search(query, collector);
            return [.. collector.GetTopDocs().ScoreDocs.Select(d => (d.Doc, d.Score))];
        }

        var expected = Top(nested, inOrder: true);
        var actual = Top(flat, inOrder: false);
        Assert.Equal(6, expected.Count);
        Assert.Equal(expected.Select(e => e.Doc), actual.Select(a => a.Doc));
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First.Score, pair.Second.Score, 4));
    }

    [Fact]
    public void The_docs_filter_keeps_exactly_its_documents_across_segments_and_never_a_deleted_one()
    {
        using var directory = new RAMDirectory();
        var config = new IndexWriterConfig(TextAnalysis.Version, TextAnalysis.Stems) { MergePolicy = NoMergePolicy.COMPOUND_FILES };
        using (var writer = new IndexWriter(directory, config))
        {
            // Three segments of three documents each (0-2, 3-5, 6-8); document 4 is deleted.
            for (var segment = 0; segment < 3; segment++)
            {
                for (var i = 0; i < 3; i++)
                {
                    var id = (segment * 3) + i;
                    writer.AddDocument([new StringField("id", id.ToString(System.Globalization.CultureInfo.InvariantCulture), Field.Store.YES), new TextField("body", "infusion", Field.Store.NO)]);
                }

                writer.Commit();
            }

            writer.DeleteDocuments(new Term("id", "4"));
            writer.Commit();
        }

        using var reader = DirectoryReader.Open(directory);
        Assert.Equal(3, reader.Leaves.Count);
        var searcher = new IndexSearcher(reader);
        List<int> Kept(int[] docs) => [.. searcher.Search(new FilteredQuery(new TermQuery(new Term("body", "infus")), new DocsFilter(docs), FilteredQuery.LEAP_FROG_FILTER_FIRST_STRATEGY), 20).ScoreDocs.Select(d => d.Doc).Order()];

        Assert.Equal([1, 3, 5, 8], Kept([1, 3, 4, 5, 8]));
        Assert.Equal([0, 2], Kept([0, 2]));
        Assert.Empty(Kept([4]));
        Assert.Empty(Kept([]));
    }

    private static SearchOptions Large(int articles) => new() { ExhaustiveDenseLimit = 0, LargeArticles = articles };
}
