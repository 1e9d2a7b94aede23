using System.Text;
using FaqBot.Knowledge;
using Microsoft.Data.Sqlite;

namespace FaqBot.Search;

/// <summary>A candidate passage with its final score and the share of the question it covers.</summary>
/// <param name="Matched">Bit i set when the passage text itself contains concept i of the question.</param>
public sealed record ScoredPassage(Passage Passage, double Score, double Coverage, long Matched);

/// <summary>The previous question and where its answer came from, for reading a short follow-up.</summary>
public sealed record SearchContext(string Question, string Source, string Section);

public sealed record SearchResult(AnalyzedQuery Query, IReadOnlyList<ScoredPassage> Ranked)
{
    public ScoredPassage? Best => Ranked.Count > 0 ? Ranked[0] : null;

    /// <summary>How much of the question the best passage answers, in [0, 1].</summary>
    public double Confidence => Best?.Coverage ?? 0;
}

/// <summary>
/// The search index over passages: SQLite FTS5 (in memory, Porter stemming, BM25 over title, section
/// and passage text) finds candidates; our reranker scores how much of the question each covers,
/// counting the section heading and title as weaker context. Immutable once built; thread-safe.
/// </summary>
public sealed class PassageIndex : IDisposable
{
    private const int CandidateLimit = 100;

    /// <summary>The rarest forms of the question's words that FTS5 searches for (its cost grows with each OR term).</summary>
    private const int MaxMatchTerms = 16;

    /// <summary>"What is/what kind of ...?" prefers a passage that defines, "why/how does it work?" one that explains,
    /// "what else/besides ...?" one that lists.</summary>
    private const double AnswerTypeBonus = 0.08;
    private const double CoverageShare = 0.7;
    private const double Bm25Share = 0.3;

    /// <summary>A concept found only in the section heading counts this much (half that in the article title): context, not an answer.</summary>
    private const double HeadingCredit = 0.5;

    /// <summary>Score bonus, times the covered weight share, for passages using the patient's own words rather than a synonym.</summary>
    private const double OwnWordsBonus = 0.1;

    /// <summary>
    /// A content word the articles never use ("diabetes", "weather") is most likely the question's topic, so
    /// missing it weighs more than missing the rarest known word, so such questions fall back instead of matching the rest.
    /// </summary>
    private const double UnknownWordFactor = 2.0;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _query;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Features> _features = [];
    private readonly Dictionary<(string Source, int First, int Count), int> _windows = [];
    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    private readonly int _sentenceCount;
    private readonly int _durationSentences;
    private readonly int _speedSentences;

    private PassageIndex(KnowledgeSet knowledge, SqliteConnection connection)
    {
        Knowledge = knowledge;
        _connection = connection;
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var passage in knowledge.Articles.SelectMany(a => a.Passages))
        {
            var body = Tokenizer.Words(passage.Text);
            var stems = body.Select(Stemmer.Stem).ToArray();
            var features = new Features(
                passage,
                stems,
                stems.ToHashSet(StringComparer.Ordinal),
                Tokenizer.Words(passage.Section).Select(Stemmer.Stem).ToHashSet(StringComparer.Ordinal),
                Tokenizer.Words(passage.Title).Select(Stemmer.Stem).ToHashSet(StringComparer.Ordinal),
                AnswerShapes.Duration().IsMatch(passage.Text),
                AnswerShapes.Speed().IsMatch(passage.Text),
                AnswerShapes.Definition().IsMatch(passage.Text),
                AnswerShapes.Reason().IsMatch(passage.Text),
                passage.Text.Count(c => c == ',') >= 3 || passage.Text.Contains("\n- ", StringComparison.Ordinal),
                AnswerShapes.StartsMidThought(passage.Text),
                AnswerShapes.AboutTheArticle().IsMatch(passage.Text));
            _features[passage.Id] = features;
            _windows[(passage.Source, passage.FirstSentence, passage.SentenceCount)] = passage.Id;
            if (passage.SentenceCount == 1)
            {
                _sentenceCount++;
                _durationSentences += features.HasDuration ? 1 : 0;
                _speedSentences += features.HasSpeed ? 1 : 0;
                foreach (var stem in features.BodyStems.ToHashSet(StringComparer.Ordinal))
                {
                    _documentFrequency[stem] = _documentFrequency.GetValueOrDefault(stem) + 1;
                }

                foreach (var word in body)
                {
                    vocabulary[word] = vocabulary.GetValueOrDefault(word) + 1;
                }
            }
        }

        foreach (var article in knowledge.Articles)
        {
            foreach (var word in Tokenizer.Words(article.Title).Concat(article.Passages.Select(p => p.Section).Distinct().SelectMany(s => Tokenizer.Words(s))))
            {
                vocabulary.TryAdd(word, 1);
            }
        }

        Analyzer = new QueryAnalyzer(knowledge.Synonyms, vocabulary);
        _query = _connection.CreateCommand();
        _query.CommandText = """
            SELECT rowid, bm25(passages, 0.5, 1.5, 3.0) AS score FROM passages
            WHERE passages MATCH $match ORDER BY score LIMIT $limit
            """;
        _query.Parameters.Add("$match", SqliteType.Text);
        _query.Parameters.AddWithValue("$limit", CandidateLimit);
        _query.Prepare();
    }

    public KnowledgeSet Knowledge { get; }

    public QueryAnalyzer Analyzer { get; }

    public int PassageCount => _features.Count;

    public static PassageIndex Build(KnowledgeSet knowledge)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE VIRTUAL TABLE passages USING fts5(title, section, body, tokenize = 'porter unicode61 remove_diacritics 2');
                CREATE VIRTUAL TABLE vocabulary USING fts5vocab(passages, 'row');
                """;
            create.ExecuteNonQuery();
        }

        using (var transaction = connection.BeginTransaction())
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO passages (rowid, title, section, body) VALUES ($id, $title, $section, $body)";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var title = insert.Parameters.Add("$title", SqliteType.Text);
            var section = insert.Parameters.Add("$section", SqliteType.Text);
            var body = insert.Parameters.Add("$body", SqliteType.Text);
            foreach (var passage in knowledge.Articles.SelectMany(a => a.Passages))
            {
                id.Value = passage.Id;
                title.Value = passage.Title;
                section.Value = passage.Section;
                body.Value = passage.Text;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return new PassageIndex(knowledge, connection);
    }

    /// <summary>Number of distinct indexed terms, from FTS5's own vocabulary table.</summary>
    public long VocabularySize()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM vocabulary";
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>
    /// Ranks passages for <paramref name="question"/>. With a <paramref name="context"/> (a follow-up such as
    /// "how long does that last?") the previous question's concepts count at half weight and passages
    /// near the previous answer are preferred.
    /// </summary>
    public SearchResult Search(string question, SearchContext? context = null)
    {
        var query = Analyzer.Analyze(question ?? "");
        var concepts = query.Concepts.Where(c => c.AlternativeStems.Count > 0).ToList();
        var ownConcepts = concepts.Count;
        if (context is not null)
        {
            var seen = concepts.Select(c => c.Term).ToHashSet(StringComparer.Ordinal);
            // Only what the previous answer was about carries over, not every word of the previous question.
            var answered = _features.Values.Where(f => f.Passage.Source == context.Source && f.Passage.Section == context.Section).ToList();
            concepts.AddRange(Analyzer.Analyze(context.Question).Concepts
                .Where(c => c.AlternativeStems.Count > 0 && !c.Weak && answered.Any(f => f.BodyHas(c)) && seen.Add(c.Term)));
        }

        if (concepts.Count == 0)
        {
            return new SearchResult(query, []);
        }

        var weights = concepts.Select((c, i) => Weight(c) * (i < ownConcepts ? 1.0 : 0.5)).ToArray();
        var totalWeight = weights.Sum();
        var candidates = Candidates(concepts);
        if (candidates.Count == 0)
        {
            return new SearchResult(query, []);
        }

        var bestBm25 = candidates.Max(c => c.Bm25);
        var asksDefinition = AnswerShapes.DefinitionQuestion().IsMatch(question ?? "");
        var asksReason = AnswerShapes.ReasonQuestion().IsMatch(question ?? "");
        var asksList = AnswerShapes.ListQuestion().IsMatch(question ?? "");
        var ranked = new List<ScoredPassage>(candidates.Count);
        (double Covered, double InBody, double Own, long Matched) Cover(Features f)
        {
            double covered = 0, inBody = 0, own = 0;
            long matched = 0;
            for (var i = 0; i < concepts.Count; i++)
            {
                var credit = f.BodyCredit(concepts[i]);
                if (credit > 0)
                {
                    covered += weights[i] * credit;
                    inBody += weights[i] * credit;
                    matched |= 1L << Math.Min(i, 62);
                    own += f.ContainsSequence(concepts[i].OwnStems) ? weights[i] : 0;
                }
                else
                {
                    covered += weights[i] * HeadingCredit * f.ContextCredit(concepts[i]);
                }
            }

            return (covered, inBody, own, matched);
        }

        // A longer window is only worth its length when its extra sentence carries part of the answer.
        double SubWindowCoverage(Passage p)
        {
            var best = 0.0;
            foreach (var first in (ReadOnlySpan<int>)[p.FirstSentence, p.FirstSentence + 1])
            {
                if (_windows.TryGetValue((p.Source, first, p.SentenceCount - 1), out var sub))
                {
                    best = Math.Max(best, Cover(_features[sub]).Covered);
                }
            }

            return best;
        }

        foreach (var (id, bm25) in candidates)
        {
            var f = _features[id];
            var (covered, inBody, own, matched) = Cover(f);
            var coverage = covered / totalWeight;
            var extraSentences = f.Passage.SentenceCount - 1;
            var lengthPenalty = extraSentences == 0 ? 0
                : covered > SubWindowCoverage(f.Passage) + 1e-9 ? 0.01 * extraSentences : 0.03 * extraSentences;

            // Two question words side by side in the passage ("talk therapy", "follow-up sessions") say more than either alone.
            var adjacent = 0;
            for (var i = 0; i + 1 < concepts.Count; i++)
            {
                adjacent += (matched & (3L << i)) == (3L << i) && i < 61 && f.Adjacent(concepts[i], concepts[i + 1]) ? 1 : 0;
            }

            var bodyShare = inBody / totalWeight;
            // In a follow-up BM25 mostly rewards the previous question's words, so coverage decides.
            var bm25Share = context is null ? Bm25Share : Bm25Share / 3;
            var answersType = (asksDefinition && f.HasDefinition) || (asksReason && f.HasReason) || (asksList && f.HasList);
            var score = (CoverageShare * coverage) + (bm25Share * (bm25 / bestBm25)) + (0.05 * Math.Min(adjacent, 2))
                + (OwnWordsBonus * own / totalWeight)
                + (answersType ? AnswerTypeBonus : 0)
                + (context is not null && f.Passage.Source == context.Source ? (f.Passage.Section == context.Section ? 0.15 : 0.05) : 0)
                - lengthPenalty
                - (f.StartsMidThought ? 0.04 : 0)
                - (f.AboutTheArticle ? 0.1 : 0) // "We'll explore what to expect..." talks about the article, it answers nothing
                - (f.Passage.Text.TrimEnd().EndsWith('?') ? 0.1 : 0) // a quote that ends on a question leaves it open
                - (bodyShare == 0 ? 0.5 : 0); // a heading on its own is never an answer
            ranked.Add(new ScoredPassage(f.Passage, score, bodyShare == 0 ? 0 : coverage, matched));
        }

        ranked.Sort((a, b) => b.Score.CompareTo(a.Score));
        return new SearchResult(query, ranked);
    }

    private List<(int Id, double Bm25)> Candidates(List<Concept> concepts)
    {
        // Words in a tenth of all sentences ("ketamine", "infusion") make FTS5 score most rows (about 1.5 µs each);
        // they still count in the coverage of the candidates that rarer words find. Our stems and FTS5's Porter
        // stems can disagree ("waking"/"woke"), so when the rare forms find nothing, every form is searched.
        var alternatives = concepts.SelectMany(c => c.Alternatives).Where(a => a.Length > 0).ToList();
        var selective = alternatives
            .Select(a => (Words: a, Df: a.Min(w => _documentFrequency.GetValueOrDefault(Stemmer.Stem(w)))))
            .Where(a => a.Df > 0 && a.Df * 10 < _sentenceCount)
            .OrderBy(a => a.Df)
            .Take(MaxMatchTerms)
            .Select(a => a.Words)
            .ToList();
        var result = selective.Count > 0 ? Match(selective) : [];
        return result.Count > 0 ? result : Match(alternatives);
    }

    private List<(int Id, double Bm25)> Match(IEnumerable<string[]> alternatives)
    {
        var match = new StringBuilder();
        foreach (var alternative in alternatives)
        {
            if (match.Length > 0)
            {
                match.Append(" OR ");
            }

            match.Append('"').Append(string.Join(' ', alternative).Replace("\"", "", StringComparison.Ordinal)).Append('"');
        }

        var result = new List<(int, double)>();
        lock (_gate)
        {
            _query.Parameters["$match"].Value = match.ToString();
            using var reader = _query.ExecuteReader();
            while (reader.Read())
            {
                result.Add((reader.GetInt32(0), -reader.GetDouble(1)));
            }
        }

        return result;
    }

    /// <summary>
    /// Inverse document frequency of the concept's forms (or, for a "how long"/"how soon" frame, of sentences
    /// stating a duration/onset); unknown words weigh the most.
    /// </summary>
    private double Weight(Concept concept)
    {
        var df = concept.Answer switch
        {
            AnswerKind.Duration => _durationSentences,
            AnswerKind.Speed => _speedSentences,
            _ => concept.AlternativeStems.Sum(stems => stems.Min(s => _documentFrequency.GetValueOrDefault(s))),
        };
        var idf = Math.Log(1 + ((double)_sentenceCount / (1 + Math.Min(df, _sentenceCount))));
        return concept.Weak ? idf * 0.35 : df == 0 ? idf * UnknownWordFactor : idf;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _query.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>What the reranker needs of one passage, computed once when the index is built.</summary>
    private sealed record Features(
        Passage Passage,
        string[] BodyStems,
        HashSet<string> BodyStemSet,
        HashSet<string> SectionStems,
        HashSet<string> TitleStems,
        bool HasDuration,
        bool HasSpeed,
        bool HasDefinition,
        bool HasReason,
        bool HasList,
        bool StartsMidThought,
        bool AboutTheArticle)
    {
        public bool BodyHas(Concept concept) => BodyCredit(concept) > 0;

        /// <summary>
        /// How well the passage text answers the concept: 1 when it contains it. The frame of "how long"/"how soon"
        /// is answered fully by a stated duration or onset ("about 45 minutes", "within hours"), half by its words only
        /// ("the duration of these benefits can vary").
        /// </summary>
        public double BodyCredit(Concept concept) => concept.Answer switch
        {
            AnswerKind.Duration => HasDuration ? 1 : concept.AlternativeStems.Any(ContainsSequence) ? 0.5 : 0,
            AnswerKind.Speed => HasSpeed ? 1 : concept.AlternativeStems.Any(ContainsSequence) ? 0.5 : 0,
            _ => concept.AlternativeStems.Any(ContainsSequence) ? 1 : 0,
        };

        public bool ContextHas(Concept concept) => ContextCredit(concept) > 0;

        /// <summary>1 when the section heading names the concept, 0.5 when only the (broader) article title does.</summary>
        public double ContextCredit(Concept concept) =>
            concept.AlternativeStems.Any(stems => stems.All(SectionStems.Contains)) ? 1
            : concept.AlternativeStems.Any(stems => stems.All(s => SectionStems.Contains(s) || TitleStems.Contains(s))) ? 0.5 : 0;

        /// <summary>A form of <paramref name="a"/> followed by a form of <paramref name="b"/>, at most one word apart ("follow-up sessions").</summary>
        public bool Adjacent(Concept a, Concept b)
        {
            foreach (var x in a.AlternativeStems)
            {
                foreach (var y in b.AlternativeStems)
                {
                    if (x.Length == 0 || y.Length == 0 || !BodyStemSet.Contains(x[0]) || !BodyStemSet.Contains(y[0]))
                    {
                        continue;
                    }

                    for (var i = 0; i + x.Length <= BodyStems.Length; i++)
                    {
                        if (SequenceAt(x, i) && (SequenceAt(y, i + x.Length) || SequenceAt(y, i + x.Length + 1)))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        private bool SequenceAt(string[] stems, int start)
        {
            if (start + stems.Length > BodyStems.Length)
            {
                return false;
            }

            for (var j = 0; j < stems.Length; j++)
            {
                if (BodyStems[start + j] != stems[j])
                {
                    return false;
                }
            }

            return true;
        }

        public bool ContainsSequence(string[] stems)
        {
            if (stems.Length == 0 || !BodyStemSet.Contains(stems[0]))
            {
                return false;
            }

            if (stems.Length == 1)
            {
                return true;
            }

            for (var i = 0; i + stems.Length <= BodyStems.Length; i++)
            {
                if (SequenceAt(stems, i))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
