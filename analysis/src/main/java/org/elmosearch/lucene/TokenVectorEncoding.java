package org.elmosearch.lucene;

import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.util.BytesRef;
import org.elmosearch.elmo.Pooling;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a document's token vectors are stored in one binary doc value.
 *
 * <p>{@link #FLOAT32} is exactly Lucene's {@link LateInteractionField} payload, {@code [int dim][tokens x dim
 * float32]}, little-endian, so Lucene's own {@code LateInteractionRescorer} can read it too. That field has no
 * quantised form, so {@link #INT8} is ours: {@code [int -dim]} then per token {@code [float32 scale][dim int8]}, a
 * quarter of the size for large vectors. Its negative header tells the two apart, so {@link #decode} reads both
 * and a rescorer needs no setting; Lucene's rescorer cannot read INT8 values.
 */
public enum TokenVectorEncoding {

    FLOAT32 {
        @Override
        public int bytesPerToken(int dimension) {
            return Float.BYTES * dimension;
        }

        @Override
        public BytesRef encode(float[][] vectors) {
            return LateInteractionField.encode(vectors);
        }

        @Override
        public BinaryDocValuesField field(String name, float[][] vectors) {
            return new LateInteractionField(name, vectors);
        }
    },

    /**
     * Each token vector scaled by its own largest magnitude to [-127, 127] and rounded, with that scale kept as a
     * float. Measured on random unit vectors: cosines off by at most 1.9e-3 (mean 3.5e-4) at 256 dimensions (ELMo
     * small), 1.1e-3 (mean 1.9e-4) at 1024 (ELMo original).
     */
    INT8 {
        @Override
        public int bytesPerToken(int dimension) {
            return Float.BYTES + dimension;
        }

        @Override
        public BytesRef encode(float[][] vectors) {
            int dimension = checkShape(vectors);
            ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES + vectors.length * bytesPerToken(dimension)).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(-dimension);
            for (float[] vector : vectors) {
                float largest = 0;
                for (float x : vector) {
                    largest = Math.max(largest, Math.abs(x));
                }
                float step = largest / 127;
                buffer.putFloat(step);
                for (float x : vector) {
                    buffer.put(step == 0 ? 0 : (byte) Math.round(x / step));
                }
            }
            return new BytesRef(buffer.array());
        }
    };

    /** Bytes per token in the payload, beside the 4-byte header of each document. */
    public abstract int bytesPerToken(int dimension);

    /** One document's token vectors as a binary doc value; all of one dimension, at least one token. */
    public abstract BytesRef encode(float[][] vectors);

    /** The doc-values field that holds one document's token vectors in this encoding. */
    public BinaryDocValuesField field(String name, float[][] vectors) {
        return new BinaryDocValuesField(name, encode(vectors));
    }

    /**
     * The token vectors of a payload in either encoding. INT8 vectors are scaled back to unit length, so that their
     * dot products are cosines as with FLOAT32 vectors written at unit length.
     */
    public static float[][] decode(BytesRef payload) {
        if (payload.length < Integer.BYTES) {
            throw new IllegalArgumentException("not a token-vector payload: " + payload.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(payload.bytes, payload.offset, payload.length).order(ByteOrder.LITTLE_ENDIAN);
        int header = buffer.getInt();
        if (header > 0) {
            return LateInteractionField.decode(payload);
        }
        int dimension = -header;
        int tokenBytes = INT8.bytesPerToken(dimension);
        int body = payload.length - Integer.BYTES;
        if (dimension == 0 || body % tokenBytes != 0) {
            throw new IllegalArgumentException("not an INT8 token-vector payload: " + payload.length + " bytes for dimension " + dimension);
        }
        float[][] vectors = new float[body / tokenBytes][dimension];
        for (float[] vector : vectors) {
            float step = buffer.getFloat();
            for (int d = 0; d < dimension; d++) {
                vector[d] = buffer.get() * step;
            }
            Pooling.l2Normalize(vector);
        }
        return vectors;
    }

    /** The lower-case name used in settings and mappings, e.g. {@code int8}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** An encoding by its lower-case name, e.g. {@code int8}. */
    public static TokenVectorEncoding parse(String name) {
        for (TokenVectorEncoding encoding : values()) {
            if (encoding.name().equalsIgnoreCase(name.strip())) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("unknown token-vector encoding '" + name + "', expected one of "
                + Arrays.stream(values()).map(TokenVectorEncoding::jsonName).toList());
    }

    /** The common dimension of at least one vector, as {@link LateInteractionField#encode} demands for FLOAT32. */
    private static int checkShape(float[][] vectors) {
        if (vectors == null || vectors.length == 0 || vectors[0] == null || vectors[0].length == 0) {
            throw new IllegalArgumentException("token vectors must be at least one non-empty vector");
        }
        for (int i = 1; i < vectors.length; i++) {
            if (vectors[i].length != vectors[0].length) {
                throw new IllegalArgumentException("token vectors must share one dimension: token 0 has "
                        + vectors[0].length + ", token " + i + " has " + vectors[i].length);
            }
        }
        return vectors[0].length;
    }
}
