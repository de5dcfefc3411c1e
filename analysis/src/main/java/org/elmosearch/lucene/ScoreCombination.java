package org.elmosearch.lucene;

import java.util.Objects;

/**
 * A {@link ScoreMode} with its two weights: everything a rescorer needs to turn a hit's first-pass score and its
 * ELMo score into the final score.
 *
 * <p>A hit that has no ELMo score (its document has no vector in the field) keeps {@code queryWeight *
 * firstPassScore} whatever the mode, as Elasticsearch does for hits the rescore query does not match.
 *
 * @param mode          how the two weighted scores merge
 * @param queryWeight   weight of the first-pass score ({@code query_weight})
 * @param rescoreWeight weight of the ELMo score ({@code rescore_query_weight})
 */
public record ScoreCombination(ScoreMode mode, float queryWeight, float rescoreWeight) {

    /** Elasticsearch's defaults: {@code total}, both weights 1. */
    public static final ScoreCombination DEFAULT = new ScoreCombination(ScoreMode.TOTAL, 1f, 1f);

    /** The ELMo score alone: the first pass only picks the candidates. */
    public static final ScoreCombination REPLACE = new ScoreCombination(ScoreMode.REPLACE, 1f, 1f);

    public ScoreCombination {
        Objects.requireNonNull(mode, "mode");
        if (!Float.isFinite(queryWeight) || !Float.isFinite(rescoreWeight)) {
            throw new IllegalArgumentException("weights must be finite numbers, got " + queryWeight + " and " + rescoreWeight);
        }
    }

    /** The final score of a hit that has an ELMo score. */
    public float combine(float firstPassScore, float secondPassScore) {
        return mode.combine(firstPassScore, secondPassScore, queryWeight, rescoreWeight);
    }

    /** The final score of a hit without an ELMo score. */
    public float firstPassOnly(float firstPassScore) {
        return queryWeight * firstPassScore;
    }

    @Override
    public String toString() {
        return "score_mode " + mode.jsonName() + ", query_weight " + queryWeight + ", rescore_query_weight " + rescoreWeight;
    }
}
