package org.elmosearch.lucene;

import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.VectorUtil;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Each document's MaxSim with a query: the sum over the query's token vectors of the best dot product with any of
 * the document's token vectors, read from a binary doc-values field in either {@link TokenVectorEncoding}. On unit
 * vectors, as {@link ElmoTokenVectors} writes them, each term is a cosine, so the score lies in [-Q, Q] for Q
 * query tokens. A document without the field has no value.
 *
 * <p>Lucene's own {@code LateInteractionFloatValuesSource} scores each pair through a {@code
 * VectorSimilarityFunction}, which maps a cosine c to {@code (1 + c) / 2}, and reads FLOAT32 only; this one sums
 * plain cosines, so that MaxSim weighs against a first-pass score on the scale of its cosines, and reads INT8 too.
 */
public final class MaxSimValuesSource extends DoubleValuesSource {

    private final String field;
    private final float[][] queryVectors;
    private final float[] queryWeights;

    /** @param queryVectors at least one, all of the field's dimension; unit length for cosines */
    public MaxSimValuesSource(String field, float[][] queryVectors) {
        this(field, queryVectors, null);
    }

    /**
     * @param queryVectors at least one, all of the field's dimension; unit length for cosines
     * @param queryWeights one finite weight per query vector, multiplying its best cosine (e.g. its word's IDF,
     *                     {@code TokenStatistics#idfWeights}); null for all 1
     */
    public MaxSimValuesSource(String field, float[][] queryVectors, float[] queryWeights) {
        this.field = Objects.requireNonNull(field, "field");
        if (queryVectors == null || queryVectors.length == 0) {
            throw new IllegalArgumentException("MaxSim needs at least one query token vector");
        }
        this.queryVectors = new float[queryVectors.length][];
        for (int i = 0; i < queryVectors.length; i++) {
            if (queryVectors[i].length == 0 || queryVectors[i].length != queryVectors[0].length) {
                throw new IllegalArgumentException("query token vectors must share one non-zero dimension: token 0 has "
                        + queryVectors[0].length + ", token " + i + " has " + queryVectors[i].length);
            }
            this.queryVectors[i] = VectorUtil.checkFinite(queryVectors[i].clone());
        }
        if (queryWeights == null) {
            queryWeights = new float[queryVectors.length];
            Arrays.fill(queryWeights, 1f);
        } else if (queryWeights.length != queryVectors.length) {
            throw new IllegalArgumentException(queryVectors.length + " query token vectors but " + queryWeights.length + " weights");
        }
        this.queryWeights = VectorUtil.checkFinite(queryWeights.clone());
    }

    /** The sum over query vectors of the largest dot product with a document vector; the document has at least one. */
    public static float score(float[][] queryVectors, float[][] documentVectors) {
        float[] weights = new float[queryVectors.length];
        Arrays.fill(weights, 1f);
        return score(queryVectors, weights, documentVectors);
    }

    /** As {@link #score(float[][], float[][])}, each query vector's best dot product multiplied by its weight. */
    public static float score(float[][] queryVectors, float[] queryWeights, float[][] documentVectors) {
        if (documentVectors.length == 0) {
            throw new IllegalArgumentException("a document needs at least one token vector");
        }
        if (documentVectors[0].length != queryVectors[0].length) {
            throw new IllegalArgumentException("the document's token vectors have dimension " + documentVectors[0].length
                    + " but the query's have " + queryVectors[0].length + ": index and query with the same model");
        }
        float sum = 0;
        for (int q = 0; q < queryVectors.length; q++) {
            float best = Float.NEGATIVE_INFINITY;
            for (float[] document : documentVectors) {
                best = Math.max(best, VectorUtil.dotProduct(queryVectors[q], document));
            }
            sum += queryWeights[q] * best;
        }
        return sum;
    }

    /** How many query token vectors there are: the MaxSim of a perfect match. */
    public int queryTokens() {
        return queryVectors.length;
    }

    @Override
    public DoubleValues getValues(LeafReaderContext leaf, DoubleValues scores) throws IOException {
        BinaryDocValues values = leaf.reader().getBinaryDocValues(field);
        if (values == null) {
            return DoubleValues.EMPTY;
        }
        return new DoubleValues() {
            @Override
            public double doubleValue() throws IOException {
                return score(queryVectors, queryWeights, TokenVectorEncoding.decode(values.binaryValue()));
            }

            @Override
            public boolean advanceExact(int doc) throws IOException {
                return values.advanceExact(doc);
            }
        };
    }

    @Override
    public Explanation explain(LeafReaderContext leaf, int doc, Explanation scoreExplanation) throws IOException {
        DoubleValues values = getValues(leaf, null);
        if (!values.advanceExact(doc)) {
            return Explanation.noMatch("no token vectors in field " + field);
        }
        return Explanation.match(values.doubleValue(), "MaxSim: for each of " + queryVectors.length
                + " query tokens, the best cosine with a token of field " + field + ", times the token's weight, summed");
    }

    @Override
    public boolean needsScores() {
        return false;
    }

    @Override
    public DoubleValuesSource rewrite(IndexSearcher searcher) {
        return this;
    }

    @Override
    public boolean isCacheable(LeafReaderContext leaf) {
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MaxSimValuesSource that && field.equals(that.field) && Arrays.deepEquals(queryVectors, that.queryVectors)
                && Arrays.equals(queryWeights, that.queryWeights);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * field.hashCode() + Arrays.deepHashCode(queryVectors)) + Arrays.hashCode(queryWeights);
    }

    @Override
    public String toString() {
        return "MaxSim(" + field + ", " + queryVectors.length + " query tokens)";
    }
}
