package org.elmosearch.rank;

import java.util.Arrays;

/**
 * How a window's scores are put on one scale before they are fused: BM25 scores and ELMo similarities have unrelated
 * ranges, and a weighted sum of raw scores lets whichever spreads wider decide. Missing scores (NaN) are skipped
 * and stay NaN.
 */
public enum ScoreNormalization {

    /** Scores as they are. */
    NONE("none"),
    /** {@code (s - min) / (max - min)}, into [0, 1]; all 0 when every score is equal. */
    MIN_MAX("minmax"),
    /** {@code (s - mean) / standard deviation}; all 0 when every score is equal. */
    Z_SCORE("zscore");

    private final String jsonName;

    ScoreNormalization(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    /** A normalization by its name ({@code none}, {@code minmax}, {@code zscore}), in any case. */
    public static ScoreNormalization parse(String name) {
        for (ScoreNormalization n : values()) {
            if (n.jsonName.equalsIgnoreCase(name.strip())) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown normalization '" + name + "', expected one of "
                + Arrays.stream(values()).map(ScoreNormalization::jsonName).toList());
    }

    /**
     * A normalized copy of {@code scores} in which a missing score counts as the lowest normalized one (0 when all
     * are missing): how both fusions ({@link ScoreFusion}, {@link RankFusion#linear}) treat a result one list lacks,
     * so that it neither wins nor vanishes.
     */
    public float[] normalizeMissingAsLowest(float[] scores) {
        float[] out = normalize(scores);
        float lowest = Float.NaN;
        for (float s : out) {
            if (!Float.isNaN(s) && !(s >= lowest)) {
                lowest = s;
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (Float.isNaN(out[i])) {
                out[i] = Float.isNaN(lowest) ? 0f : lowest;
            }
        }
        return out;
    }

    /** A normalized copy of {@code scores}. */
    public float[] normalize(float[] scores) {
        float[] out = scores.clone();
        if (this == NONE) {
            return out;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int n = 0;
        for (float s : scores) {
            if (!Float.isNaN(s)) {
                min = Math.min(min, s);
                max = Math.max(max, s);
                sum += s;
                n++;
            }
        }
        if (n == 0) {
            return out;
        }
        double center;
        double scale;
        if (this == MIN_MAX) {
            center = min;
            scale = max - min;
        } else {
            center = sum / n;
            double squares = 0;
            for (float s : scores) {
                if (!Float.isNaN(s)) {
                    squares += (s - center) * (s - center);
                }
            }
            scale = Math.sqrt(squares / n);
        }
        for (int i = 0; i < out.length; i++) {
            if (!Float.isNaN(out[i])) {
                out[i] = scale > 0 ? (float) ((out[i] - center) / scale) : 0f;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
