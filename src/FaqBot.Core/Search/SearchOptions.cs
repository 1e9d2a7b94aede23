using System.ComponentModel.DataAnnotations;

namespace FaqBot.Search;

/// <summary>How ranks from BM25 and from the embedding model are combined.</summary>
public enum FusionMethod
{
    /// <summary><c>DenseWeight × cosine + Bm25Weight × normalised BM25</c>.</summary>
    Weighted,

    /// <summary>Reciprocal rank fusion: <c>Σ 1 / (RrfK + rank)</c>; confidence still comes from the weighted score.</summary>
    ReciprocalRank,
}

/// <summary>Ranking weights and thresholds ("Search" section), validated at start-up. Confidence is in [0, 1].</summary>
public sealed class SearchOptions : IValidatableObject
{
    public const string Section = "Search";

    /// <summary>At or above: the best passage is quoted as the answer; below, the bot says the articles do not cover it.</summary>
    [Range(0.0, 1.0)]
    public double AnswerThreshold { get; set; } = 0.50;

    /// <summary>Two sections whose scores are this close, neither clearly the answer, make a "did you mean".</summary>
    [Range(0.0, 1.0)]
    public double ClarifyMargin { get; set; } = 0.01;

    /// <summary>A best score at or above this is clearly the answer: never ask "did you mean".</summary>
    [Range(0.0, 1.0)]
    public double ClarifyCeiling { get; set; } = 0.65;

    /// <summary>Extra citations from other articles need at least this share of the best score.</summary>
    [Range(0.0, 1.0)]
    public double ExtraCitationRatio { get; set; } = 0.97;

    public FusionMethod Fusion { get; set; } = FusionMethod.Weighted;

    /// <summary>Weight of the embedding model's cosine similarity (question to passage, or to an alternate question).</summary>
    [Range(0.0, 1.0)]
    public double DenseWeight { get; set; } = 0.8;

    /// <summary>Weight of BM25, normalised by what the question's terms could score at most.</summary>
    [Range(0.0, 1.0)]
    public double Bm25Weight { get; set; } = 0.2;

    [Range(1, 1000)]
    public int RrfK { get; set; } = 60;

    /// <summary>A raw Lucene BM25 score at or above this counts as a full lexical match (1); below, proportionally.</summary>
    [Range(0.1, 1000.0)]
    public double Bm25Saturation { get; set; } = 25;

    /// <summary>Question-to-question similarity runs higher than question-to-passage; this much is taken off an alternate question's similarity.</summary>
    [Range(0.0, 1.0)]
    public double AlternateQuestionOffset { get; set; } = 0.10;

    /// <summary>Taken off a patient's story when guidance answers too: the clinic's guidance comes first.</summary>
    [Range(0.0, 1.0)]
    public double StoryPenalty { get; set; } = 0.01;

    /// <summary>Taken off per extra unit in a passage: a longer quote must earn its length.</summary>
    [Range(0.0, 1.0)]
    public double ExtraUnitPenalty { get; set; } = 0.0;

    /// <summary>For a follow-up: added to passages from the section that answered the previous question.</summary>
    [Range(0.0, 1.0)]
    public double FollowUpSectionBoost { get; set; } = 0.03;

    /// <summary>
    /// Out of scope: when the question's words the articles never use carry its meaning (the question without
    /// them is less similar than this to the whole question), it falls back instead of matching the rest.
    /// </summary>
    [Range(0.0, 1.0)]
    public double UnknownWordsSimilarity { get; set; } = 0.93;

    /// <summary>
    /// A question this similar (raw, before <see cref="AlternateQuestionOffset"/>) to a curated or staff-taught
    /// alternate question is in scope whatever words it uses: the clinic has said which passage answers it.
    /// </summary>
    [Range(0.0, 1.0)]
    public double AlternateInScopeSimilarity { get; set; } = 0.95;

    /// <summary>Candidates taken from each of BM25 and dense similarity before fusion.</summary>
    [Range(5, 1000)]
    public int Candidates { get; set; } = 50;

    /// <summary>
    /// Up to this many answer units, the question is compared with every one (exact). Above it, only with BM25's
    /// best <see cref="LargeCandidates"/> and the units of the best-matching alternate questions: a large knowledge
    /// base stays fast, and a small one ranks exactly as before.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int ExhaustiveDenseLimit { get; set; } = 20_000;

    /// <summary>BM25 candidates whose meaning is scored when the knowledge base is above <see cref="ExhaustiveDenseLimit"/>.</summary>
    [Range(10, 10_000)]
    public int LargeCandidates { get; set; } = 300;

    /// <summary>
    /// Above <see cref="ExhaustiveDenseLimit"/>, BM25 scores only the answer units of this many articles: the best by
    /// BM25 over whole articles (their words and title). Over a million units, scoring every one that shares a word with
    /// the question is what made an answer slow. 0: every unit is scored.
    /// </summary>
    [Range(0, 10_000)]
    public int LargeArticles { get; set; } = 50;

    /// <summary>
    /// How many of the question's words choose those articles: the most distinctive ones (found in the fewest articles).
    /// </summary>
    [Range(1, 100)]
    public int LargeArticleWords { get; set; } = 8;

    /// <summary>Embeddings cache folder, relative to the content root.</summary>
    [Required]
    public string EmbeddingCachePath { get; set; } = "data/embeddings";

    /// <summary>
    /// The Lucene index folder, relative to the content root; kept between starts and updated one article at a time.
    /// Empty: the index lives in memory and is built at every start.
    /// </summary>
    public string IndexPath { get; set; } = "data/index";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Math.Abs(DenseWeight + Bm25Weight - 1.0) > 1e-6)
        {
            yield return new ValidationResult("Search:DenseWeight and Search:Bm25Weight must add up to 1.", [nameof(DenseWeight), nameof(Bm25Weight)]);
        }

        if (ClarifyCeiling < AnswerThreshold)
        {
            yield return new ValidationResult("Search:ClarifyCeiling must be at least Search:AnswerThreshold.", [nameof(ClarifyCeiling)]);
        }
    }
}
