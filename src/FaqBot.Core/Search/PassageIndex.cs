using System.Text.RegularExpressions;
using FaqBot.Knowledge;
using FaqBot.Search.Analysis;
using FaqBot.Search.Embedding;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;

namespace FaqBot.Search;

/// <summary>A candidate passage: its fused score and the parts it was made from.</summary>
/// <param name="Dense">Cosine similarity of the question to the passage.</param>
/// <param name="Alternate">Best similarity to one of the passage's alternate questions, less the offset (0 when it has none).</param>
/// <param name="Bm25">Lucene's BM25 score scaled into [0, 1] (saturating at <see cref="SearchOptions.Bm25Saturation"/>).</param>
/// <param name="RawBm25">Lucene's BM25 score as it is.</param>
public sealed record ScoredPassage(Passage Passage, double Score, double Dense, double Alternate, double Bm25, double RawBm25, int DocId);

/// <summary>The previous question and where its answer came from, for reading a short follow-up.</summary>
public sealed record SearchContext(string Question, string Source, string Section);

/// <summary>What the index made of a question and the passages it ranked.</summary>
/// <param name="Searched">The question as searched, after typo repair.</param>
/// <param name="UnknownWords">Words of the question the articles never use (nor a synonym, nor a typo of a word they use).</param>
/// <param name="WithoutUnknownSimilarity">How similar the question stays without those words (1 when there are none).</param>
public sealed record SearchResult(
    string Question,
    string Searched,
    IReadOnlyList<ScoredPassage> Ranked,
    IReadOnlyList<(string From, string To)> Corrections,
    IReadOnlyList<string> UnknownWords,
    double WithoutUnknownSimilarity,
    bool OutOfScope,
    Query? Query)
{
    public ScoredPassage? Best => Ranked.Count > 0 ? Ranked[0] : null;

    /// <summary>The best passage's fused score, in [0, 1]; 0 when the question is out of scope.</summary>
    public double Confidence => OutOfScope ? 0 : Best?.Score ?? 0;

    /// <summary>The best candidate from another section than the best one (the runner-up a clarification would offer).</summary>
    public ScoredPassage? RunnerUp => Best is { } best
        ? Ranked.FirstOrDefault(r => r.Passage.Source != best.Passage.Source || r.Passage.Section != best.Passage.Section)
        : null;

    /// <summary>How far the best passage is ahead of the best one from another section (its own score when there is none).</summary>
    public double Margin => Best is { } best ? best.Score - (RunnerUp?.Score ?? 0) : 0;

    public static SearchResult Empty(string question) => new(question, question, [], [], [], 1, false, null);
}

/// <summary>
/// The search index: Lucene.Net BM25 over the passages' body, section and title fields, and cosine similarity
/// from the local embedding model to every passage and to its alternate questions, fused into one score.
/// Immutable once built; thread-safe (Lucene's searcher and the model are).
/// </summary>
public sealed class PassageIndex : IDisposable
{
    private const string BodyField = PassageFields.Body;
    private const string SectionField = PassageFields.Section;
    private const string TitleField = PassageFields.Title;

    /// <summary>Surface words: the vocabulary typo repair looks in.</summary>
    private const string WordsField = PassageFields.Words;

    private const float SynonymBoost = 0.6f;
    private const float SectionBoost = 0.4f;
    private const float TitleBoost = 0.2f;

    /// <summary>The index on disk at one commit: answer units, their vectors and order.</summary>
    private readonly IndexSnapshot _snapshot;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;

    /// <summary>The clinic's synonyms as one document of surface words (typo repair corrects towards them too).</summary>
    private readonly RAMDirectory _synonymsDirectory;
    private readonly DirectoryReader _synonyms;

    /// <summary>What typo repair corrects towards: the surface words of every answer unit and of the synonyms.</summary>
    private readonly MultiReader _vocabulary;

    /// <summary>
    /// The words of the curated alternate questions (<c>questions.yaml</c>, written from the articles in patients'
    /// words): the clinic's own wording for what the articles cover, so never an unknown topic. Staff-taught questions
    /// are left out: one taught question must not put its words in scope for every question.
    /// </summary>
    private readonly HashSet<string> _curatedWords;
    private readonly float[][] _questionVectors;
    private readonly int[] _questionDoc;
    private readonly SentenceEmbedder _embedder;
    private readonly SearchOptions _options;

    /// <summary>
    /// Results of questions asked without a follow-up context, by their text: starter buttons and common questions
    /// are asked again and again, and this index never changes (a knowledge change builds a new one). Bounded by
    /// <see cref="MaxRememberedResults"/> (then forgotten all at once).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SearchResult> _results = new(StringComparer.Ordinal);

    private const int MaxRememberedResults = 5_000;

    private PassageIndex(KnowledgeSet knowledge, TextAnalysis analysis, IReadOnlyList<string> synonymProblems, IndexSnapshot snapshot, SentenceEmbedder embedder, SearchOptions options, EmbeddingCache? cache)
    {
        Knowledge = knowledge;
        Analysis = analysis;
        SynonymProblems = synonymProblems;
        _embedder = embedder;
        _options = options;
        _snapshot = snapshot;
        _reader = snapshot.Reader;
        _searcher = snapshot.Searcher;

        _synonymsDirectory = new RAMDirectory();
        using (var writer = new IndexWriter(_synonymsDirectory, new IndexWriterConfig(TextAnalysis.Version, TextAnalysis.Surface) { OpenMode = OpenMode.CREATE }))
        {
            var synonymLines = (knowledge.SynonymsText ?? "").Split('\n').Where(l => !l.TrimStart().StartsWith('#'));
            writer.AddDocument([new TextField(WordsField, string.Join('\n', synonymLines.Concat(TextAnalysis.ContractionsWithoutApostrophe)), Field.Store.NO)]);
            writer.Commit();
        }

        _synonyms = DirectoryReader.Open(_synonymsDirectory);
        _vocabulary = new MultiReader([_reader, _synonyms], closeSubReaders: false);
        Typos = TypoRepair.Of(_vocabulary, WordsField);

        // Alternate questions are queries too: they carry the query prefix, so question meets question.
        var questions = knowledge.Questions.Select(q => (Question: q, Doc: snapshot.DocOf(q.Passage))).Where(q => q.Doc >= 0).ToList();
        _questionVectors = embedder.Embed([.. questions.Select(q => SentenceEmbedder.QueryPrefix + q.Question.Question)], cache);
        _questionDoc = [.. questions.Select(q => q.Doc)];
        _curatedWords = knowledge.Questions.Where(q => !q.Taught).SelectMany(q => TextAnalysis.Words(q.Question)).ToHashSet(StringComparer.Ordinal);
    }

    public KnowledgeSet Knowledge { get; }

    /// <summary>Typo repair against the articles' and the synonyms' words.</summary>
    public TypoRepair Typos { get; }

    /// <summary>The words typo repair chooses from (the articles' and the synonyms'), for checking it.</summary>
    internal IndexReader Vocabulary => _vocabulary;

    internal const string VocabularyField = WordsField;

    public TextAnalysis Analysis { get; }

    /// <summary>Lines of the synonyms file that could not be used (reported, skipped).</summary>
    public IReadOnlyList<string> SynonymProblems { get; }

    public int PassageCount => _snapshot.Count;

    public int AlternateQuestionCount => _questionVectors.Length;

    /// <summary>An index over <paramref name="snapshot"/> (whose reference it takes over and releases when disposed).</summary>
    internal static PassageIndex Open(KnowledgeSet knowledge, IndexSnapshot snapshot, SentenceEmbedder embedder, SearchOptions options, EmbeddingCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(options);
        var synonyms = TextAnalysis.ParseSynonyms(knowledge.SynonymsText, out var problems);
        return new PassageIndex(knowledge, new TextAnalysis(synonyms), problems, snapshot, embedder, options, cache);
    }

    /// <summary>Number of distinct indexed stems in the body field, from Lucene's own term dictionary.</summary>
    public long VocabularySize() => MultiFields.GetTerms(_reader, BodyField)?.Count ?? 0;

    /// <summary>How many passages contain <paramref name="stem"/> (a term of the body field).</summary>
    public int DocumentFrequency(string stem) => _reader.DocFreq(new Term(BodyField, stem));

    /// <summary>
    /// Ranks passages for <paramref name="question"/>. With a <paramref name="context"/> (a follow-up such as
    /// "how long does that last?") the question is read together with the previous one and passages from the
    /// section that answered it are preferred.
    /// </summary>
    public SearchResult Search(string question, SearchContext? context = null)
    {
        var text = (question ?? "").Trim();
        if (text.Length > SentenceEmbedder.MaxInputCharacters)
        {
            text = text[..SentenceEmbedder.MaxInputCharacters];
        }

        if (!text.Any(char.IsLetter))
        {
            return SearchResult.Empty(text);
        }

        if (context is null && _results.TryGetValue(text, out var remembered))
        {
            return remembered;
        }

        var (searched, corrections, unknown) = Repair(text);
        var query = BuildQuery(searched);

        // A large knowledge base's BM25 (several milliseconds) is offered to the thread pool while the model reads the
        // question; if no pool thread has taken it by then, this thread runs it.
        var lexical = _snapshot.Count > _options.ExhaustiveDenseLimit
            ? SideWork<ScoreDoc[]>.Start(() => LexicalHits(query))
            : null;

        // The question and its variants (with the previous question; without the unknown words) in one call to the model.
        var stripped = unknown.Count > 0 ? UnknownWordsPattern(unknown).Replace(searched, " ") : null;
        var hasStripped = stripped is not null && stripped.Any(char.IsLetter);
        List<string> inputs = [searched];
        if (context is not null)
        {
            inputs.Add($"{context.Question} {searched}");
        }

        if (hasStripped)
        {
            inputs.Add(stripped!);
        }

        var vectors = _embedder.Queries(inputs);
        var questionVector = vectors[0];
        var denseVector = context is null ? questionVector : vectors[1];
        var withoutUnknown = unknown.Count == 0 ? 1.0 : hasStripped ? SentenceEmbedder.Dot(questionVector, vectors[^1]) : 0;

        var ranked = Rank(lexical?.Result() ?? LexicalHits(query), denseVector, context);
        var outOfScope = withoutUnknown < _options.UnknownWordsSimilarity
            && !(ranked.Count > 0 && ranked[0].Alternate + _options.AlternateQuestionOffset >= _options.AlternateInScopeSimilarity);
        var result = new SearchResult(text, searched, ranked.AsReadOnly(), corrections.AsReadOnly(), unknown.AsReadOnly(), withoutUnknown, outOfScope, query);
        if (context is null)
        {
            if (_results.Count >= MaxRememberedResults)
            {
                _results.Clear();
            }

            _results[text] = result;
        }

        return result;
    }

    /// <summary>
    /// The lexical half alone: typo repair and the BM25 query, no sentence model. For comparison (the benchmark's
    /// "without the model") and nothing else: answers always use <see cref="Search"/>.
    /// </summary>
    public IReadOnlyList<ScoredPassage> SearchWords(string question)
    {
        var text = (question ?? "").Trim();
        if (!text.Any(char.IsLetter))
        {
            return [];
        }

        var query = BuildQuery(Repair(text).Searched);
        return query.Clauses.Count == 0
            ? []
            : [.. TopHits(query, BestArticles(query), _options.Candidates).ScoreDocs.Select(hit =>
                new ScoredPassage(_snapshot.PassageAt(hit.Doc), Math.Min(1.0, hit.Score / _options.Bm25Saturation), 0, 0, Math.Min(1.0, hit.Score / _options.Bm25Saturation), hit.Score, hit.Doc))];
    }

    /// <summary>Lucene's explanation of the BM25 part of one candidate's score.</summary>
    public string ExplainBm25(SearchResult result, ScoredPassage candidate)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(candidate);
        return result.Query is null ? "no query terms" : _searcher.Explain(result.Query, candidate.DocId).ToString();
    }

    public void Dispose()
    {
        _vocabulary.Dispose();
        _synonyms.Dispose();
        _synonymsDirectory.Dispose();
        _snapshot.Release();
        Analysis.Dispose();
    }

    /// <summary>BM25's candidates: the best units for the query (in a large knowledge base, of the articles it chose).</summary>
    private ScoreDoc[] LexicalHits(BooleanQuery query)
    {
        if (query.Clauses.Count == 0)
        {
            return [];
        }

        var exhaustive = _snapshot.Count <= _options.ExhaustiveDenseLimit;
        return TopHits(query, BestArticles(query), exhaustive ? _options.Candidates : Math.Max(_options.Candidates, _options.LargeCandidates)).ScoreDocs;
    }

    private List<ScoredPassage> Rank(ScoreDoc[] hits, float[] questionVector, SearchContext? context)
    {
        var live = _snapshot.Live;
        var order = _snapshot.Order;
        var vectors = _snapshot.Vectors;
        var exhaustive = _snapshot.Count <= _options.ExhaustiveDenseLimit;
        var alternate = new Dictionary<int, double>();
        for (var q = 0; q < _questionVectors.Length; q++)
        {
            var similarity = SentenceEmbedder.Dot(questionVector, _questionVectors[q]) - _options.AlternateQuestionOffset;
            var doc = _questionDoc[q];
            alternate[doc] = Math.Max(alternate.GetValueOrDefault(doc), similarity);
        }

        var bm25 = new Dictionary<int, float>(hits.Length);
        var bm25Hits = new List<int>(hits.Length);
        foreach (var hit in hits)
        {
            bm25[hit.Doc] = hit.Score;
            bm25Hits.Add(hit.Doc);
        }

        // Meaning: of every unit in a knowledge base up to ExhaustiveDenseLimit; above it, of BM25's candidates and the
        // units of the alternate questions (the bank is compared in full either way).
        var scored = exhaustive ? live : bm25Hits.Concat(alternate.Keys).Distinct().Order(order).ToArray();
        var dense = exhaustive ? new double[_reader.MaxDoc] : null;
        var sparse = exhaustive ? null : new Dictionary<int, double>(scored.Length);
        foreach (var doc in scored)
        {
            var similarity = SentenceEmbedder.Dot(questionVector, vectors[doc]!);
            if (dense is not null)
            {
                dense[doc] = similarity;
            }
            else
            {
                sparse![doc] = similarity;
            }
        }

        double Dense(int doc) => dense?[doc] ?? sparse![doc];
        double Meaning(int doc) => Math.Max(Dense(doc), alternate.GetValueOrDefault(doc));

        // Ties (the same text in several articles) go by the folder's order: file name, then place in the article.
        var closest = scored.OrderByDescending(Meaning).ThenBy(doc => doc, order).Take(_options.Candidates);
        var candidates = closest
            .Union(bm25Hits.Take(_options.Candidates))
            .Select(doc =>
            {
                var passage = _snapshot.PassageAt(doc);
                var raw = bm25.GetValueOrDefault(doc);
                var lexical = Math.Min(1.0, raw / _options.Bm25Saturation);
                var meaning = Meaning(doc);
                var score = (_options.DenseWeight * meaning) + (_options.Bm25Weight * lexical)
                    - (passage.Kind == ContentKind.Story ? _options.StoryPenalty : 0)
                    - (_options.ExtraUnitPenalty * (passage.UnitCount - 1))
                    + (context is not null && passage.Source == context.Source && passage.Section == context.Section ? _options.FollowUpSectionBoost : 0);
                return new ScoredPassage(passage, Math.Clamp(score, 0, 1), Dense(doc), alternate.GetValueOrDefault(doc), lexical, raw, doc);
            })
            .ToList();

        if (_options.Fusion == FusionMethod.ReciprocalRank)
        {
            var byMeaning = candidates.OrderByDescending(c => Math.Max(c.Dense, c.Alternate)).Select((c, i) => (c.DocId, Rank: i + 1)).ToDictionary(x => x.DocId, x => x.Rank);
            var byWords = candidates.OrderByDescending(c => c.RawBm25).Select((c, i) => (c.DocId, Rank: i + 1)).ToDictionary(x => x.DocId, x => x.Rank);
            return candidates
                .OrderByDescending(c => (1.0 / (_options.RrfK + byMeaning[c.DocId])) + (c.RawBm25 > 0 ? 1.0 / (_options.RrfK + byWords[c.DocId]) : 0))
                .ThenByDescending(c => c.Score)
                .ToList();
        }

        return candidates.OrderByDescending(c => c.Score).ThenBy(c => c.DocId, order).ToList();
    }

    /// <summary>
    /// The best <paramref name="count"/> passages for the BM25 query. In an index of up to
    /// <see cref="InOrderScoringLimit"/> units they are scored in document order: a query of SHOULD clauses otherwise gets
    /// Lucene's out-of-order BooleanScorer, whose bucket tables (2,048 buckets per nested query) made each question
    /// allocate about 1 MB on the real knowledge base (in order: 370 KB, p99 3.5 to 1.9 ms, the same hits). Above
    /// <see cref="SearchOptions.ExhaustiveDenseLimit"/>, only the units of the <see cref="SearchOptions.LargeArticles"/>
    /// articles BM25 ranks best as whole articles are scored (Lucene's filter drives the scorer, which skips to them).
    /// </summary>
    private TopDocs TopHits(BooleanQuery query, List<string>? articles, int count)
    {
        Query scored = query;
        if (articles is not null)
        {
            if (articles.Count == 0)
            {
                return new TopDocs(0, [], float.NaN);
            }

            var filter = new DocsFilter(_snapshot.UnitDocsOf(articles));
            scored = new FilteredQuery(query, filter, FilteredQuery.LEAP_FROG_FILTER_FIRST_STRATEGY);
        }

        if (_reader.MaxDoc > InOrderScoringLimit)
        {
            return _searcher.Search(scored, count);
        }

        var collector = TopScoreDocCollector.Create(count, docsScoredInOrder: true);
        _searcher.Search(scored, collector);
        return collector.GetTopDocs();
    }

    /// <summary>The articles whose units a large knowledge base scores (null: a small one scores every unit).</summary>
    private List<string>? BestArticles(BooleanQuery query) =>
        _snapshot.Count > _options.ExhaustiveDenseLimit && _options.LargeArticles > 0
            ? _snapshot.BestArticles(ArticleQuery(query), _options.LargeArticles)
            : null;

    /// <summary>
    /// The unit query asked of whole articles, with its <see cref="SearchOptions.LargeArticleWords"/> most distinctive
    /// word groups (those found in the fewest articles' words; a title is a few words, so a title match says little of
    /// how rare a word is): each group's body terms over the article's words, its title
    /// terms over the article's title (section headings are among the article's words). A word found in most articles
    /// tells them apart hardly at all (BM25 gives it almost no weight) and costs the most to score, and a long, worried
    /// message would otherwise score dozens of them in every article.
    /// </summary>
    private BooleanQuery ArticleQuery(BooleanQuery units)
    {
        var groups = units.Clauses
            .Select(group => ((BooleanQuery)group.Query).Clauses
                .Select(clause => (TermQuery)clause.Query)
                .Select(term => (Field: ArticleField(term.Term.Field), term.Term.Bytes, term.Boost))
                .Where(term => term.Field is not null)
                .Select(term => (Term: new Term(term.Field, term.Bytes), term.Boost))
                .ToList())
            .ToList();
        var states = _snapshot.ArticleTermStates(groups.SelectMany(group => group.Select(t => t.Term)));
        var distinctive = groups
            .Select(group => group.Where(t => states[t.Term].DocFreq > 0).ToList())
            .Where(group => group.Count > 0)
            .OrderBy(group => group.Where(t => t.Term.Field == ArticleFields.Body).Select(t => states[t.Term].DocFreq).DefaultIfEmpty(int.MaxValue).Min())
            .Take(_options.LargeArticleWords);
        // One flat disjunction of the groups' terms: BM25's coord and query norm are 1, so it scores as the nested groups
        // would, and lets Lucene score it out of order (see IndexSnapshot.BestArticles).
        var flat = new BooleanQuery();
        foreach (var group in distinctive)
        {
            foreach (var (term, boost) in group)
            {
                flat.Add(new TermQuery(term, states[term]) { Boost = boost }, Occur.SHOULD);
            }
        }

        return flat;
    }

    /// <summary>One SHOULD clause per group, each a SHOULD of its terms (with their looked-up states and boosts).</summary>
    private static BooleanQuery Disjunction(IEnumerable<List<(Term Term, float Boost)>> groups, Dictionary<Term, TermContext> states)
    {
        var query = new BooleanQuery();
        foreach (var group in groups)
        {
            var alternatives = new BooleanQuery();
            foreach (var (term, boost) in group)
            {
                alternatives.Add(new TermQuery(term, states[term]) { Boost = boost }, Occur.SHOULD);
            }

            query.Add(alternatives, Occur.SHOULD);
        }

        return query;
    }

    private static string? ArticleField(string unitField) => unitField switch
    {
        BodyField => ArticleFields.Body,
        TitleField => ArticleFields.Title,
        _ => null,
    };

    private const int InOrderScoringLimit = 50_000;

    /// <summary>
    /// One SHOULD group per word position of the question: the word's stem and its synonyms (weaker), each in
    /// body, section and title. A follow-up's context comes through meaning and the section boost, not words.
    /// </summary>
    private BooleanQuery BuildQuery(string text)
    {
        var groups = new List<List<QueryTerm>>();
        foreach (var term in Analysis.QueryTerms(text))
        {
            if (groups.Count == 0 || term.Position > 0)
            {
                groups.Add([]);
            }

            groups[^1].Add(term);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var clauses = new List<List<(Term Term, float Boost)>>();
        foreach (var group in groups)
        {
            var terms = group.Where(t => seen.Add(t.Term)).ToList();
            if (terms.Count == 0)
            {
                continue;
            }

            var alternatives = new List<(Term Term, float Boost)>();
            foreach (var term in terms)
            {
                var boost = term.Synonym ? SynonymBoost : 1f;
                alternatives.Add((new Term(BodyField, term.Term), boost));
                alternatives.Add((new Term(SectionField, term.Term), boost * SectionBoost));
                alternatives.Add((new Term(TitleField, term.Term), boost * TitleBoost));
            }

            clauses.Add(alternatives);
        }

        return Disjunction(clauses, TermStates.Of(_reader, clauses.SelectMany(c => c.Select(t => t.Term))));
    }

    /// <summary>
    /// Typo repair against the vocabulary of the articles and the clinic's synonyms (<see cref="TypoRepair"/>: the
    /// choice of Lucene's FuzzyTermsEnum, one or two edits, with its automata, well under a millisecond a word), and the
    /// words the articles never use: not in that vocabulary, not a typo of a word in it, not a word of the curated
    /// alternate questions, and longer than three letters (shorter ones are mostly texting forms: "hav", "wat", "hrs").
    /// </summary>
    private (string Searched, List<(string From, string To)> Corrections, List<string> Unknown) Repair(string text)
    {
        var corrections = new List<(string, string)>();
        var unknown = new List<string>();
        var searched = text;

        // Words under four letters are mostly texting forms ("hav", "wat") and never unknown topics, unless typed in
        // capitals among lower-case words: "ECT", "TMS" or "HSA" is a name the patient means, neither a typo nor filler
        // (a message written all in capitals says nothing of the kind).
        var acronyms = text.Any(char.IsLower)
            ? Acronym.Matches(text).Select(m => m.Value.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (var word in TextAnalysis.Words(text).Distinct(StringComparer.Ordinal))
        {
            var acronym = acronyms.Contains(word);
            if ((word.Length < 4 && !acronym) || TextAnalysis.IsStopWord(word) || !word.All(char.IsLetter) || IsKnown(word))
            {
                continue;
            }

            if (!acronym && !SentenceEmbedder.WholeWords.Contains(word) && Typos.Correct(word) is { } correction)
            {
                corrections.Add((word, correction));
                searched = Regex.Replace(searched, $@"\b{Regex.Escape(word)}\b", correction, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                continue;
            }

            if (!_curatedWords.Contains(word))
            {
                unknown.Add(word);
            }
        }

        return (searched, corrections, unknown);
    }

    private bool IsKnown(string word)
    {
        if (_vocabulary.DocFreq(new Term(WordsField, word)) > 0)
        {
            return true;
        }

        var terms = Analysis.QueryTerms(word);
        return terms.Count == 0 || terms.Any(t => t.Synonym || _reader.DocFreq(new Term(BodyField, t.Term)) > 0);
    }

    /// <summary>Two or three capital letters standing alone, as typed: an acronym.</summary>
    private static readonly Regex Acronym = new(@"\b\p{Lu}{2,3}\b", RegexOptions.CultureInvariant);

    private static Regex UnknownWordsPattern(IEnumerable<string> words) =>
        new($@"\b({string.Join('|', words.Select(Regex.Escape))})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

