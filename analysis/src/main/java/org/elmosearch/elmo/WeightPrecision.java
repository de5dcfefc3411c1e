package org.elmosearch.elmo;

import java.util.Arrays;
import java.util.Locale;

/**
 * How the graph stores the LSTM's weights (input, recurrent and projection kernels), the bulk of the model and of
 * its time.
 *
 * <p>{@link #INT8} keeps each kernel column as 8-bit integers with one float scale per column (see
 * {@link QuantizedMatrix}) and multiplies through ONNX Runtime's {@code DynamicQuantizeMatMul}, which quantizes the
 * activations per call. Those weights take a quarter of the memory and of the memory traffic of a time step; the
 * LSTM layers are no longer exactly those of the reference implementation, so it is opt-in and its error is
 * measured, not assumed. The char CNN, highway and projection stay float32 (they run once per distinct token and
 * are cached), so the token embedding, layer 0, stays exact.
 */
public enum WeightPrecision {
    FLOAT32,
    INT8;

    /** The lower-case name used in flags, settings and graph metadata. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WeightPrecision parse(String id) {
        for (WeightPrecision p : values()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown weight precision [" + id + "], expected one of "
                + Arrays.stream(values()).map(WeightPrecision::id).toList());
    }
}
