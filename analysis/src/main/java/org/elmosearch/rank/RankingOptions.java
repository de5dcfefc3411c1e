package org.elmosearch.rank;

import java.util.Objects;

/**
 * How ELMo scores rank, given a model's {@link TokenStatistics}: what is done to vectors before they are compared,
 * whether MaxSim weighs query words by IDF, and how the ELMo score is fused with a first pass.
 *
 * @param transform  applied to token and pooled vectors (needs statistics unless {@link VectorTransform#NONE})
 * @param idfWeights whether each query token's best cosine is weighted by its word's IDF (needs statistics)
 * @param fusion     how first-pass and ELMo scores merge within a window
 */
public record RankingOptions(VectorTransform transform, boolean idfWeights, ScoreFusion fusion) {

    /**
     * The shipped defaults: whitened vectors, IDF-weighted MaxSim, z-score fusion with equal weights. Chosen once on the
     * even-numbered SQuAD v1.1 dev questions and reported on the odd ones (docs/ranking.md).
     */
    public static final RankingOptions DEFAULT = new RankingOptions(VectorTransform.WHITEN, true, ScoreFusion.DEFAULT);

    /** What a model without statistics can do: unit vectors, unweighted MaxSim, the default fusion. */
    public static final RankingOptions WITHOUT_STATISTICS = new RankingOptions(VectorTransform.NONE, false, ScoreFusion.DEFAULT);

    public RankingOptions {
        Objects.requireNonNull(transform, "transform");
        Objects.requireNonNull(fusion, "fusion");
    }

    public RankingOptions withTransform(VectorTransform transform) {
        return new RankingOptions(transform, idfWeights, fusion);
    }

    public RankingOptions withIdfWeights(boolean idfWeights) {
        return new RankingOptions(transform, idfWeights, fusion);
    }

    public RankingOptions withFusion(ScoreFusion fusion) {
        return new RankingOptions(transform, idfWeights, fusion);
    }

    /** Whether these options use fitted statistics. */
    public boolean needsStatistics() {
        return transform != VectorTransform.NONE || idfWeights;
    }
}
