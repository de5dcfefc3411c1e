package org.elmosearch.elmo;

import java.util.Arrays;

/**
 * A fixed weighted sum of ELMo's output layers, {@code gamma * sum_k weights[k] * layer[k]}. Unlike AllenNLP's
 * trainable ScalarMix the weights are used as given, not passed through a softmax, so {@code [0, 0, 1]} is
 * exactly the top layer.
 */
public record ScalarMix(float[] weights, float gamma) {

    public ScalarMix {
        weights = weights.clone();
        if (weights.length == 0) {
            throw new IllegalArgumentException("mix: at least one layer weight is needed");
        }
        for (float w : weights) {
            if (!Float.isFinite(w)) {
                throw new IllegalArgumentException("mix: weights must be finite numbers, got " + Arrays.toString(weights));
            }
        }
        if (!Float.isFinite(gamma)) {
            throw new IllegalArgumentException("mix: gamma must be a finite number, got " + gamma);
        }
    }

    /** Equal weights, gamma 1: AllenNLP's initial mix. */
    public static ScalarMix average(int layers) {
        float[] w = new float[layers];
        Arrays.fill(w, 1f / layers);
        return new ScalarMix(w, 1f);
    }

    /** The top LSTM layer only. */
    public static ScalarMix top(int layers) {
        float[] w = new float[layers];
        w[layers - 1] = 1f;
        return new ScalarMix(w, 1f);
    }

    public static ScalarMix of(float... weights) {
        return new ScalarMix(weights, 1f);
    }

    /** Parses {@code "average"}, {@code "top"} or a list of weights (a {@code float[]} or {@code List<Number>}). */
    public static ScalarMix parse(Object spec, int layers) {
        ScalarMix mix;
        if ("average".equals(spec)) {
            mix = average(layers);
        } else if ("top".equals(spec)) {
            mix = top(layers);
        } else if (spec instanceof float[] w) {
            mix = of(w);
        } else if (spec instanceof java.util.List<?> list) {
            float[] w = new float[list.size()];
            for (int i = 0; i < w.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new IllegalArgumentException("mix: weights must be numbers, got " + list);
                }
                w[i] = n.floatValue();
            }
            mix = of(w);
        } else {
            throw new IllegalArgumentException("mix must be \"average\", \"top\" or a list of " + layers + " weights, got " + spec);
        }
        return mix.checkLayers(layers);
    }

    /** This mix, after checking that it has one weight per layer of a model with {@code layers} output layers. */
    public ScalarMix checkLayers(int layers) {
        if (weights.length != layers) {
            throw new IllegalArgumentException("mix: the model has " + layers + " layers but " + weights.length
                    + " weights were given " + Arrays.toString(weights));
        }
        return this;
    }

    /** Mixes {@code [layers][tokens][dim]} into {@code [tokens][dim]}. */
    public float[][] apply(float[][][] layers) {
        checkLayers(layers.length);
        int tokens = layers[0].length;
        float[][] out = new float[tokens][];
        for (int t = 0; t < tokens; t++) {
            int dim = layers[0][t].length;
            float[] v = new float[dim];
            for (int k = 0; k < weights.length; k++) {
                float w = weights[k] * gamma;
                if (w == 0f) {
                    continue;
                }
                float[] layer = layers[k][t];
                for (int d = 0; d < dim; d++) {
                    v[d] += w * layer[d];
                }
            }
            out[t] = v;
        }
        return out;
    }

    @Override
    public float[] weights() {
        return weights.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScalarMix m && Arrays.equals(weights, m.weights) && Float.compare(gamma, m.gamma) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(weights) + Float.hashCode(gamma);
    }

    @Override
    public String toString() {
        return "ScalarMix" + Arrays.toString(weights) + (gamma == 1f ? "" : " * " + gamma);
    }
}
