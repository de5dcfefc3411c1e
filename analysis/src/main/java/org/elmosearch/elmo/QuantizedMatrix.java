package org.elmosearch.elmo;

/**
 * A {@code [K, N]} float matrix as int8 values with one scale per column: {@code w[r][c] ~ values[r][c] * scales[c]}.
 *
 * <p>Symmetric (no zero point) over -63..63 rather than -127..127: ONNX Runtime multiplies unsigned 8-bit
 * activations by these values, and on x86 CPUs without VNNI its kernel adds pairs of such products in 16 bits,
 * which 8-bit weights can overflow (255 * 127 * 2 > 32767) but 7-bit weights cannot. ONNX Runtime's own quantizer
 * calls this {@code reduce_range}. The error it adds is measured (docs/benchmarks.md, "int8 weights"), not assumed.
 */
record QuantizedMatrix(byte[] values, float[] scales) {

    static final int LEVELS = 63;

    static QuantizedMatrix of(float[] matrix, int rows, int columns) {
        if (matrix.length != rows * columns) {
            throw new IllegalArgumentException(matrix.length + " values do not fit [" + rows + ", " + columns + "]");
        }
        float[] scales = new float[columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                scales[c] = Math.max(scales[c], Math.abs(matrix[r * columns + c]));
            }
        }
        for (int c = 0; c < columns; c++) {
            // An all-zero column stays zero whatever its scale; 1 keeps the scale finite and positive.
            scales[c] = scales[c] == 0f ? 1f : scales[c] / LEVELS;
        }
        byte[] values = new byte[matrix.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                values[r * columns + c] = (byte) Math.max(-LEVELS, Math.min(LEVELS, Math.round(matrix[r * columns + c] / scales[c])));
            }
        }
        return new QuantizedMatrix(values, scales);
    }
}
