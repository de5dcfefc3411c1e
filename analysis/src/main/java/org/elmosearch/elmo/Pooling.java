package org.elmosearch.elmo;

import java.util.Locale;

/** How token vectors become one text vector. */
public enum Pooling {
    MEAN, MAX;

    public static Pooling parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("pooling must be \"mean\" or \"max\", got " + (name == null ? "null" : "\"" + name + "\""));
        }
    }

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Pools {@code [tokens][dim]}; there must be at least one token. */
    public float[] pool(float[][] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("cannot pool a text with no tokens");
        }
        float[] out = tokens[0].clone();
        for (int t = 1; t < tokens.length; t++) {
            float[] v = tokens[t];
            for (int d = 0; d < out.length; d++) {
                out[d] = this == MEAN ? out[d] + v[d] : Math.max(out[d], v[d]);
            }
        }
        if (this == MEAN) {
            for (int d = 0; d < out.length; d++) {
                out[d] /= tokens.length;
            }
        }
        return out;
    }

    /**
     * Unit-length copies of vectors, e.g. token vectors as MaxSim compares them: the processor, the field, the
     * rescorer and the ranking helpers share this so that documents and queries are scaled alike.
     */
    public static float[][] l2NormalizedCopies(float[][] vectors) {
        float[][] out = new float[vectors.length][];
        for (int t = 0; t < out.length; t++) {
            out[t] = l2Normalize(vectors[t].clone());
        }
        return out;
    }

    /** Scales {@code v} to unit length in place; a zero vector stays zero. */
    public static float[] l2Normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float inv = (float) (1.0 / Math.sqrt(sum));
            for (int d = 0; d < v.length; d++) {
                v[d] *= inv;
            }
        }
        return v;
    }
}
