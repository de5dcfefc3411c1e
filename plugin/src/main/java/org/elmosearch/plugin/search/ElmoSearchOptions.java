package org.elmosearch.plugin.search;

import org.elasticsearch.common.ParsingException;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Reads the body of an {@code elmo} search extension as a map, refusing unknown keys with the list of allowed ones. */
final class ElmoSearchOptions {

    private ElmoSearchOptions() {
    }

    static Map<String, Object> read(XContentParser parser, String what, List<String> allowed) throws IOException {
        if (parser.currentToken() != XContentParser.Token.START_OBJECT && parser.nextToken() != XContentParser.Token.START_OBJECT) {
            throw new ParsingException(parser.getTokenLocation(), "[" + what + "] must be an object");
        }
        Map<String, Object> map = new HashMap<>(parser.map());
        TreeSet<String> unknown = new TreeSet<>(map.keySet());
        allowed.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new ParsingException(parser.getTokenLocation(), "[" + what + "] unknown option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown + "; allowed: " + allowed);
        }
        return map;
    }

    static String requiredString(Map<String, Object> map, String what, String key) {
        Object value = map.remove(key);
        if (!(value instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException("[" + what + "] [" + key + "] is required and must be a non-empty string, got [" + value + "]");
        }
        return s;
    }

    static float optionalFloat(Map<String, Object> map, String what, String key, float fallback) {
        Object value = map.remove(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || !Float.isFinite(n.floatValue())) {
            throw new IllegalArgumentException("[" + what + "] [" + key + "] must be a finite number, got [" + value + "]");
        }
        return n.floatValue();
    }
}
