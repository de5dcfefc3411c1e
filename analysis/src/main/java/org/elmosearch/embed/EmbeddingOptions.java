package org.elmosearch.embed;

import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.ScalarMix;

import java.util.Objects;

/**
 * How texts become vectors.
 *
 * @param mix       how the layers are mixed into one vector per token
 * @param pooling   how token vectors become one text vector
 * @param normalize whether the text vector is scaled to unit length
 * @param maxTokens texts longer than this are cut to their first {@code maxTokens} tokens (and marked truncated)
 */
public record EmbeddingOptions(ScalarMix mix, Pooling pooling, boolean normalize, int maxTokens) {

    public static final int DEFAULT_MAX_TOKENS = 512;

    public EmbeddingOptions {
        Objects.requireNonNull(mix, "mix");
        Objects.requireNonNull(pooling, "pooling");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
    }

    /** The average of all layers, mean pooling, unit length, 512 tokens. */
    public static EmbeddingOptions defaults(ElmoOptions model) {
        return new EmbeddingOptions(ScalarMix.average(model.outputLayers()), Pooling.MEAN, true, DEFAULT_MAX_TOKENS);
    }

    /** One vector of mixed token vectors: pooled, and scaled to unit length if asked; null without tokens. */
    public float[] pool(float[][] mixedTokenVectors) {
        if (mixedTokenVectors.length == 0) {
            return null;
        }
        float[] vector = pooling.pool(mixedTokenVectors);
        return normalize ? Pooling.l2Normalize(vector) : vector;
    }

    public EmbeddingOptions withMix(ScalarMix mix) {
        return new EmbeddingOptions(mix, pooling, normalize, maxTokens);
    }

    public EmbeddingOptions withPooling(Pooling pooling) {
        return new EmbeddingOptions(mix, pooling, normalize, maxTokens);
    }

    public EmbeddingOptions withNormalize(boolean normalize) {
        return new EmbeddingOptions(mix, pooling, normalize, maxTokens);
    }

    public EmbeddingOptions withMaxTokens(int maxTokens) {
        return new EmbeddingOptions(mix, pooling, normalize, maxTokens);
    }
}
