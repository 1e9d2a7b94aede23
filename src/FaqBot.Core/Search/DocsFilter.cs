using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace FaqBot.Search;

/// <summary>
/// A filter of known documents (the answer units of the articles a large knowledge base chose), as a compressed doc id
/// set per segment (Lucene's <see cref="PForDeltaDocIdSet"/>). Lucene's <c>TermsFilter</c> gave the same documents as a
/// bit set the size of the whole segment: 148 KB for each question at 10,000 articles (1.2 million units), to mark
/// about 6,000 of them.
/// </summary>
internal sealed class DocsFilter(int[] sortedDocs) : Filter
{
    public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
    {
        ArgumentNullException.ThrowIfNull(context);
        var first = LowerBound(context.DocBase);
        var end = LowerBound(context.DocBase + context.AtomicReader.MaxDoc);
        if (first == end)
        {
            return null; // no document of this segment: the query is not scored in it
        }

        var builder = new PForDeltaDocIdSet.Builder();
        for (var i = first; i < end; i++)
        {
            var doc = sortedDocs[i] - context.DocBase;
            if (acceptDocs is null || acceptDocs.Get(doc))
            {
                builder.Add(doc);
            }
        }

        return builder.Build();
    }

    /// <summary>The index of the first document at or after <paramref name="doc"/>.</summary>
    private int LowerBound(int doc)
    {
        var found = Array.BinarySearch(sortedDocs, doc);
        return found >= 0 ? found : ~found;
    }
}
