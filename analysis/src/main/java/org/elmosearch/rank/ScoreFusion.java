package org.elmosearch.rank;

import java.util.Objects;

/**
 * Fuses a window's first-pass scores (e.g. BM25) with its ELMo scores: each list is normalized within the window,
 * then {@code firstPassWeight * first + elmoWeight * elmo}. A hit without an ELMo score (its document has no
 * vectors) counts as the window's lowest ELMo score, so that it neither wins nor vanishes.
 *
 * @param normalization how each list is put on one scale
 * @param firstPassWeight weight of the normalized first-pass score
 * @param elmoWeight      weight of the normalized ELMo score
 */
public record ScoreFusion(ScoreNormalization normalization, float firstPassWeight, float elmoWeight) {

    /**
     * The fusion the project ships: z-scores, equal weights. Chosen on the even-numbered SQuAD v1.1 dev questions
     * and reported on the odd ones (docs/ranking.md); not tuned per collection.
     */
    public static final ScoreFusion DEFAULT = new ScoreFusion(ScoreNormalization.Z_SCORE, 0.5f, 0.5f);

    public ScoreFusion {
        Objects.requireNonNull(normalization, "normalization");
        if (!Float.isFinite(firstPassWeight) || !Float.isFinite(elmoWeight)) {
            throw new IllegalArgumentException("weights must be finite numbers, got " + firstPassWeight + " and " + elmoWeight);
        }
    }

    /** The fused score of each hit, in the order given; {@code elmo} holds NaN for hits without an ELMo score. */
    public float[] fuse(float[] firstPass, float[] elmo) {
        if (firstPass.length != elmo.length) {
            throw new IllegalArgumentException(firstPass.length + " first-pass scores but " + elmo.length + " ELMo scores");
        }
        float[] first = normalization.normalize(firstPass);
        float[] second = normalization.normalizeMissingAsLowest(elmo);
        float[] fused = new float[first.length];
        for (int i = 0; i < fused.length; i++) {
            fused[i] = firstPassWeight * first[i] + elmoWeight * second[i];
        }
        return fused;
    }

    @Override
    public String toString() {
        return "normalization " + normalization + ", first-pass weight " + firstPassWeight + ", ELMo weight " + elmoWeight;
    }
}
