package org.elmosearch.rank;

import java.util.Arrays;

/** What {@link TokenStatistics} do to a vector before it is compared, always ending at unit length. */
public enum VectorTransform {

    /** Unit length only. */
    NONE("none"),
    /** The fitted mean subtracted, then unit length. */
    CENTER("center"),
    /** Centered and whitened by the fitted matrix, then unit length. */
    WHITEN("whiten");

    private final String jsonName;

    VectorTransform(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static VectorTransform parse(String name) {
        for (VectorTransform t : values()) {
            if (t.jsonName.equalsIgnoreCase(name.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transform '" + name + "', expected one of "
                + Arrays.stream(values()).map(VectorTransform::jsonName).toList());
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
