package org.elmosearch.node;

import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.ScalarMix;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * How texts become vectors: layer mix, pooling, normalisation and token limit. Every field may be unset (null),
 * so that a request overrides only what it names and the rest comes from the model's {@code settings.json},
 * then from {@link #DEFAULTS}: documents and queries then agree without repeating options.
 *
 * @param mix       {@code "average"}, {@code "top"} or a list of layer weights (checked against the model later)
 * @param pooling   token vectors to one vector
 * @param normalize scale the pooled vector to unit length
 * @param maxTokens tokens embedded per text; longer texts are truncated
 */
public record EmbeddingSpec(Object mix, Pooling pooling, Boolean normalize, Integer maxTokens) {

    public static final String MIX = "mix";
    public static final String POOLING = "pooling";
    public static final String NORMALIZE = "normalize";
    public static final String MAX_TOKENS = "max_tokens";
    public static final List<String> KEYS = List.of(MIX, POOLING, NORMALIZE, MAX_TOKENS);

    /** The largest accepted {@code max_tokens}: beyond it a single text would dominate a node's memory. */
    public static final int MAX_TOKENS_LIMIT = 4096;

    public static final EmbeddingSpec NONE = new EmbeddingSpec(null, null, null, null);
    public static final EmbeddingSpec DEFAULTS = new EmbeddingSpec("average", Pooling.MEAN, true, 512);

    public EmbeddingSpec {
        if (mix != null) {
            mix = checkMix(mix);
        }
        if (maxTokens != null && (maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT)) {
            throw new IllegalArgumentException("[" + MAX_TOKENS + "] must be between 1 and " + MAX_TOKENS_LIMIT + ", got " + maxTokens);
        }
    }

    public static EmbeddingSpec readFrom(StreamInput in) throws IOException {
        Object mix = in.readGenericValue();
        String pooling = in.readOptionalString();
        return new EmbeddingSpec(mix, pooling == null ? null : Pooling.parse(pooling), in.readOptionalBoolean(), in.readOptionalVInt());
    }

    public void writeTo(StreamOutput out) throws IOException {
        out.writeGenericValue(mix);
        out.writeOptionalString(pooling == null ? null : pooling.jsonName());
        out.writeOptionalBoolean(normalize);
        out.writeOptionalVInt(maxTokens);
    }

    /** Writes the fields that are set, as request options. */
    public XContentBuilder toXContentFields(XContentBuilder builder) throws IOException {
        if (mix != null) {
            builder.field(MIX, mix);
        }
        if (pooling != null) {
            builder.field(POOLING, pooling.jsonName());
        }
        if (normalize != null) {
            builder.field(NORMALIZE, normalize);
        }
        if (maxTokens != null) {
            builder.field(MAX_TOKENS, maxTokens);
        }
        return builder;
    }

    /** Reads and removes the spec's keys from {@code config}; other keys are left for the caller. */
    public static EmbeddingSpec take(Map<String, Object> config) {
        Object mix = config.remove(MIX);
        Object pooling = config.remove(POOLING);
        Object normalize = config.remove(NORMALIZE);
        Object maxTokens = config.remove(MAX_TOKENS);
        return new EmbeddingSpec(mix, pooling == null ? null : parsePooling(pooling), bool(NORMALIZE, normalize), integer(MAX_TOKENS, maxTokens));
    }

    /** This spec with its unset fields taken from {@code fallback}. */
    public EmbeddingSpec orElse(EmbeddingSpec fallback) {
        return new EmbeddingSpec(
                mix != null ? mix : fallback.mix,
                pooling != null ? pooling : fallback.pooling,
                normalize != null ? normalize : fallback.normalize,
                maxTokens != null ? maxTokens : fallback.maxTokens);
    }

    /** The mix for a model with {@code layers} output layers; fails with a 400-worthy message if it does not fit. */
    public ScalarMix scalarMix(int layers) {
        return ScalarMix.parse(mix, layers);
    }

    private static Object checkMix(Object mix) {
        if ("average".equals(mix) || "top".equals(mix)) {
            return mix;
        }
        if (mix instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(w -> w instanceof Number n && Double.isFinite(n.doubleValue()))) {
            return List.copyOf(list);
        }
        throw new IllegalArgumentException("[" + MIX + "] must be \"average\", \"top\" or a list of layer weights, got [" + mix + "]");
    }

    private static Pooling parsePooling(Object value) {
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("[" + POOLING + "] must be \"mean\" or \"max\", got [" + value + "]");
        }
        try {
            return Pooling.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[" + POOLING + "] must be \"mean\" or \"max\", got [" + value + "]");
        }
    }

    static Boolean bool(String key, Object value) {
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        if ("true".equals(value) || "false".equals(value)) {
            return Boolean.parseBoolean((String) value);
        }
        throw new IllegalArgumentException("[" + key + "] must be true or false, got [" + value + "]");
    }

    static Integer integer(String key, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long n = ((Number) value).longValue();
            if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                return (int) n;
            }
        }
        if (value instanceof String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("[" + key + "] must be an integer, got [" + value + "]");
    }
}
