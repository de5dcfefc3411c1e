package org.elmosearch.plugin.search;

import java.util.Arrays;
import java.util.Locale;

/** How the {@code elmo_fusion} retriever merges its children's results. */
public enum FusionMethod {

    /** A weighted sum of each child's scores, normalized within its window. */
    LINEAR,
    /** Reciprocal rank fusion: by position alone, {@code 1 / (rank_constant + rank)} summed over children. */
    RRF;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static FusionMethod parse(String value) {
        for (FusionMethod method : values()) {
            if (method.jsonName().equals(value)) {
                return method;
            }
        }
        throw new IllegalArgumentException("[" + ElmoFusionRetrieverBuilder.NAME + "] [method] must be one of "
                + Arrays.stream(values()).map(FusionMethod::jsonName).toList() + ", got [" + value + "]");
    }
}
