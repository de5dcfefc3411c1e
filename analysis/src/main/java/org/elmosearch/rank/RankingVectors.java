package org.elmosearch.rank;

import org.elmosearch.analysis.Token;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.ScalarMix;

import java.util.List;
import java.util.Objects;

/**
 * Turns mixed token vectors into the vectors that ranking compares, and query tokens into MaxSim weights: the one
 * place where {@link TokenStatistics} and {@link RankingOptions} are applied, shared by the Lucene helpers, the
 * evaluation harness and the Elasticsearch plugin, so that documents and queries are transformed alike everywhere.
 * Immutable and thread-safe.
 */
public final class RankingVectors {

    private final TokenStatistics statistics;
    private final RankingOptions options;

    /**
     * @param statistics the model's fitted statistics, or null for a model without them
     * @throws IllegalArgumentException when the options need statistics that are missing
     */
    public RankingVectors(TokenStatistics statistics, RankingOptions options) {
        this.statistics = statistics;
        this.options = Objects.requireNonNull(options, "options");
        if (statistics == null && options.needsStatistics()) {
            throw new IllegalArgumentException("transform [" + options.transform() + "] and idf weighting need the model's token statistics ("
                    + TokenStatistics.FILE_NAME + "): run 'elmo fit' on the model, or use transform none without idf");
        }
    }

    /** The defaults for a model: {@link RankingOptions#DEFAULT} with statistics, unit vectors without. */
    public static RankingVectors defaults(TokenStatistics statistics) {
        return new RankingVectors(statistics, statistics == null ? RankingOptions.WITHOUT_STATISTICS : RankingOptions.DEFAULT);
    }

    public RankingOptions options() {
        return options;
    }

    /** The fitted statistics, or null. */
    public TokenStatistics statistics() {
        return statistics;
    }

    /** The layer mix for ranking vectors: the one the statistics were fitted on, else {@code fallback}. */
    public ScalarMix mix(ScalarMix fallback) {
        return statistics == null ? fallback : statistics.mix();
    }

    /** Unit-length ranking vectors of one text's mixed token vectors. */
    public float[][] tokenVectors(float[][] mixedTokenVectors) {
        return statistics == null ? Pooling.l2NormalizedCopies(mixedTokenVectors) : statistics.transform(mixedTokenVectors, options.transform());
    }

    /**
     * The unit-length ranking vector of a whole text: the mean of its mixed token vectors, transformed as token
     * vectors are (centering and whitening are affine, so this is the direction of the mean of the tokens'
     * whitened vectors before each is scaled to unit length); null for a text without tokens.
     */
    public float[] pooledVector(float[][] mixedTokenVectors) {
        if (mixedTokenVectors.length == 0) {
            return null;
        }
        float[] mean = Pooling.MEAN.pool(mixedTokenVectors);
        return statistics == null ? Pooling.l2Normalize(mean) : statistics.transform(mean, options.transform());
    }

    /** MaxSim weights of a query's tokens: their IDF scaled to average 1, or null (all 1) without IDF weighting. */
    public float[] queryWeights(List<Token> tokens) {
        return options.idfWeights() ? statistics.idfWeights(tokens) : null;
    }
}
