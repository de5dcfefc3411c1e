package org.elmosearch.plugin.search;

import java.util.Arrays;
import java.util.Locale;

/** What the {@code elmo} rescorer compares the query text with. */
public enum RescoreMode {

    /** The text's pooled vector against each document's {@code dense_vector}: one similarity per document. */
    COSINE,
    /**
     * The text's token vectors against each document's {@code elmo_token_vectors}: for each query token the best
     * cosine with any document token, summed (MaxSim), so a score lies in [-Q, Q] for Q query tokens.
     */
    MAXSIM;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static RescoreMode parse(Object value) {
        for (RescoreMode mode : values()) {
            if (mode.jsonName().equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("[elmo] [mode] must be one of " + Arrays.stream(values()).map(RescoreMode::jsonName).toList()
                + ", got [" + value + "]");
    }
}
