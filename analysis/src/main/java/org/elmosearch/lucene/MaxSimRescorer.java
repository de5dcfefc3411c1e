package org.elmosearch.lucene;

import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.DoubleValuesSourceRescorer;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;

import java.io.IOException;
import java.util.Objects;

/**
 * Re-ranks first-pass hits by MaxSim over token vectors ({@link MaxSimValuesSource}), merged with the first-pass
 * score by a {@link ScoreCombination} exactly as the cosine {@link ElmoRescorer} does. A hit whose document has no
 * token vectors keeps {@code queryWeight * firstPassScore}.
 *
 * <p>Lucene's {@code LateInteractionRescorer} is the same loop over {@link DoubleValuesSourceRescorer}, but fixed to
 * its own values source; see {@link MaxSimValuesSource} for why that does not fit.
 */
public final class MaxSimRescorer extends DoubleValuesSourceRescorer {

    private final ScoreCombination combination;

    /**
     * @param field        the token-vector field, written by {@link TokenVectorEncoding}
     * @param queryVectors the query's unit-length token vectors
     * @param combination  how the first-pass score and MaxSim merge; MaxSim lies in [-Q, Q] for Q query tokens
     */
    public MaxSimRescorer(String field, float[][] queryVectors, ScoreCombination combination) {
        this(new MaxSimValuesSource(field, queryVectors), combination);
    }

    /**
     * @param maxSim      each hit's MaxSim: a {@link MaxSimValuesSource}, or one built on it, e.g. the best of a
     *                    document's nested passages in Elasticsearch
     * @param combination how the first-pass score and MaxSim merge
     */
    public MaxSimRescorer(DoubleValuesSource maxSim, ScoreCombination combination) {
        super(Objects.requireNonNull(maxSim, "maxSim"));
        this.combination = Objects.requireNonNull(combination, "combination");
    }

    @Override
    public TopDocs rescore(IndexSearcher searcher, TopDocs firstPass, int topN) throws IOException {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be >= 1, got " + topN);
        }
        return super.rescore(searcher, firstPass, topN);
    }

    @Override
    protected float combine(float firstPassScore, boolean valuePresent, double maxSim) {
        return valuePresent ? combination.combine(firstPassScore, (float) maxSim) : combination.firstPassOnly(firstPassScore);
    }
}
