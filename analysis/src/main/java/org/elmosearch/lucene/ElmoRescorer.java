package org.elmosearch.lucene;

import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Rescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.VectorUtil;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Re-ranks first-pass hits by their first-pass score and the cosine between the query's vector and the document's,
 * merged by a {@link ScoreCombination} (by default {@code queryWeight * firstPassScore + rescoreWeight * cosine}),
 * reading each hit's vector from the index ({@link FloatVectorValues} of the field). A hit without a vector in
 * the field keeps {@code queryWeight * firstPassScore}, as with Lucene's {@code QueryRescorer}.
 */
public final class ElmoRescorer extends Rescorer {

    private final String field;
    private final float[] queryVector;
    private final ScoreCombination combination;

    /**
     * @param field       the vector field
     * @param queryVector the query's vector, of the field's dimension
     * @param combination how the first-pass score and the cosine, which lies in [-1, 1], merge
     */
    public ElmoRescorer(String field, float[] queryVector, ScoreCombination combination) {
        this.field = Objects.requireNonNull(field, "field");
        this.queryVector = VectorUtil.checkFinite(queryVector.clone());
        this.combination = Objects.requireNonNull(combination, "combination");
    }

    /** Scores {@code queryWeight * firstPassScore + rescoreWeight * cosine} ({@link ScoreMode#TOTAL}). */
    public ElmoRescorer(String field, float[] queryVector, float queryWeight, float rescoreWeight) {
        this(field, queryVector, new ScoreCombination(ScoreMode.TOTAL, queryWeight, rescoreWeight));
    }

    @Override
    public TopDocs rescore(IndexSearcher searcher, TopDocs firstPass, int topN) throws IOException {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be >= 1, got " + topN);
        }
        ScoreDoc[] hits = firstPass.scoreDocs.clone();
        // Doc order lets one forward-only iterator per segment visit every hit.
        Arrays.sort(hits, Comparator.comparingInt(h -> h.doc));
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        ScoreDoc[] rescored = new ScoreDoc[hits.length];
        int i = 0;
        while (i < hits.length) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(hits[i].doc, leaves));
            int leafEnd = leaf.docBase + leaf.reader().maxDoc();
            FloatVectorValues values = vectors(leaf);
            KnnVectorValues.DocIndexIterator iterator = values == null ? null : values.iterator();
            for (; i < hits.length && hits[i].doc < leafEnd; i++) {
                float cosine = iterator == null ? Float.NaN : cosine(values, iterator, hits[i].doc - leaf.docBase);
                rescored[i] = new ScoreDoc(hits[i].doc, combine(hits[i].score, cosine), hits[i].shardIndex);
            }
        }
        Arrays.sort(rescored, Comparator.<ScoreDoc>comparingDouble(h -> -h.score).thenComparingInt(h -> h.doc));
        return new TopDocs(firstPass.totalHits, Arrays.copyOf(rescored, Math.min(topN, rescored.length)));
    }

    @Override
    public Explanation explain(IndexSearcher searcher, Explanation firstPass, int docId) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docId, leaves));
        FloatVectorValues values = vectors(leaf);
        float cosine = values == null ? Float.NaN : cosine(values, values.iterator(), docId - leaf.docBase);
        float first = firstPass.getValue().floatValue();
        Explanation firstPart = Explanation.match(first, "first pass score", firstPass);
        Explanation vectorPart = Float.isNaN(cosine)
                ? Explanation.noMatch("no vector in field " + field)
                : Explanation.match(cosine, "cosine with the query's ELMo vector");
        return Explanation.match(combine(first, cosine), "first pass and ELMo cosine, " + combination + ":", firstPart, vectorPart);
    }

    private FloatVectorValues vectors(LeafReaderContext leaf) throws IOException {
        FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
        if (values != null && values.dimension() != queryVector.length) {
            throw new IllegalArgumentException("field " + field + " holds vectors of dimension " + values.dimension()
                    + " but the query vector has " + queryVector.length + ": index and query with the same model");
        }
        return values;
    }

    /** The document's cosine with the query, or NaN when it has no vector; the iterator only moves forward. */
    private float cosine(FloatVectorValues values, KnnVectorValues.DocIndexIterator iterator, int leafDoc) throws IOException {
        int at = iterator.docID() < leafDoc ? iterator.advance(leafDoc) : iterator.docID();
        return at == leafDoc ? VectorUtil.cosine(queryVector, values.vectorValue(iterator.index())) : Float.NaN;
    }

    private float combine(float firstPassScore, float cosine) {
        return Float.isNaN(cosine) ? combination.firstPassOnly(firstPassScore) : combination.combine(firstPassScore, cosine);
    }
}
