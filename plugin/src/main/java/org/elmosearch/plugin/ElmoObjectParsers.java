package org.elmosearch.plugin;

import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.node.UnknownOptions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the plugin's {@link ObjectParser}s share: the plugin's one unknown-option message ({@link UnknownOptions}), the
 * {@link EmbeddingSpec} options and the check of a required string.
 */
public final class ElmoObjectParsers {

    private ElmoObjectParsers() {
    }

    /**
     * Refuses an option the parser does not declare with {@link UnknownOptions#message}; an {@link IllegalArgumentException},
     * so a 400.
     *
     * @param where   what holds the options, as the message names it
     * @param allowed the declared options, in the order they are documented
     */
    public static <T> ObjectParser.UnknownFieldConsumer<T> refuseUnknown(String where, List<String> allowed) {
        return (target, field, value) -> {
            throw new IllegalArgumentException(UnknownOptions.message(where, field, allowed));
        };
    }

    /** A parse target that collects the {@link EmbeddingSpec} options as given, for {@link EmbeddingSpec#take} to check. */
    public static class SpecOptions {
        private final Map<String, Object> spec = new HashMap<>();

        void given(String key, Object value) {
            spec.put(key, value);
        }

        /** @throws IllegalArgumentException naming the option that is malformed */
        public EmbeddingSpec spec() {
            return EmbeddingSpec.take(new HashMap<>(spec));
        }
    }

    /** Declares {@link EmbeddingSpec#KEYS}; their values are checked when the spec is built, with the messages of the processor. */
    public static <T extends SpecOptions, C> void declareSpec(ObjectParser<T, C> parser) {
        for (String key : EmbeddingSpec.KEYS) {
            parser.declareField((target, value) -> target.given(key, value),
                    (p, c) -> p.currentToken() == XContentParser.Token.START_ARRAY ? p.list() : p.objectText(), new ParseField(key),
                    ObjectParser.ValueType.VALUE_ARRAY);
        }
    }

    /** @throws IllegalArgumentException (a 400) when {@code value} is missing or empty */
    public static String required(String where, String key, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("[" + where + "] [" + key + "] is required and must be a non-empty string, got [" + value + "]");
        }
        return value;
    }
}
