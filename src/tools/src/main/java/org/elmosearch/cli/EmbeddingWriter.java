package org.elmosearch.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import org.elmosearch.analysis.Token;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes one JSON object per line (JSON Lines). Floats are written as {@link Float#toString}: the shortest
 * decimal that reads back as the same float, so the numbers survive a round trip exactly.
 *
 * <p>Every object has {@code "tokens"}; {@code "truncated": true} appears only on texts cut to the token limit,
 * so ordinary lines carry nothing but the data asked for.
 */
final class EmbeddingWriter implements Closeable {

    private final JsonGenerator json;

    /** @param closeTarget whether {@link #close} closes {@code target} too (not for the process's stdout) */
    EmbeddingWriter(OutputStream target, boolean closeTarget) throws IOException {
        JsonFactory factory = new JsonFactoryBuilder()
                .rootValueSeparator((String) null)
                .configure(StreamWriteFeature.AUTO_CLOSE_TARGET, closeTarget)
                .build();
        this.json = factory.createGenerator(target, JsonEncoding.UTF8);
    }

    /** {@code {"tokens": [...], "layers": [[[...]]]}}: every layer, {@code [L+1][tokens][2P]}. */
    void layers(List<Token> tokens, boolean truncated, float[][][] layers) throws IOException {
        start(tokens, truncated);
        json.writeFieldName("layers");
        json.writeStartArray();
        for (float[][] layer : layers) {
            matrix(layer);
        }
        json.writeEndArray();
        end();
    }

    /** {@code {"tokens": [...], "mix": [[...]]}}: one mixed vector per token, {@code [tokens][2P]}. */
    void mix(List<Token> tokens, boolean truncated, float[][] mix) throws IOException {
        start(tokens, truncated);
        json.writeFieldName("mix");
        matrix(mix);
        end();
    }

    /** {@code {"tokens": [...], "vector": [...]}}, {@code "vector": null} for a text with no tokens. */
    void pooled(List<Token> tokens, boolean truncated, float[] vector) throws IOException {
        start(tokens, truncated);
        pooledVector(vector);
        end();
    }

    /**
     * {@code {"tokens": [...], "vectors": [[...]], "weights": [...], "vector": [...]}}: the unit token vectors that
     * ranking compares, each query token's MaxSim weight (absent without IDF weighting) and the pooled ranking
     * vector ({@code null} for a text with no tokens).
     */
    void ranking(List<Token> tokens, boolean truncated, float[][] vectors, float[] weights, float[] vector) throws IOException {
        start(tokens, truncated);
        json.writeFieldName("vectors");
        matrix(vectors);
        if (weights != null) {
            json.writeFieldName("weights");
            vector(weights);
        }
        pooledVector(vector);
        end();
    }

    /** {@code "vector": [...]}, or {@code null} for a text with no tokens. */
    private void pooledVector(float[] vector) throws IOException {
        json.writeFieldName("vector");
        if (vector == null) {
            json.writeNull();
        } else {
            vector(vector);
        }
    }

    private void start(List<Token> tokens, boolean truncated) throws IOException {
        json.writeStartObject();
        json.writeArrayFieldStart("tokens");
        for (Token token : tokens) {
            json.writeString(token.text());
        }
        json.writeEndArray();
        if (truncated) {
            json.writeBooleanField("truncated", true);
        }
    }

    private void end() throws IOException {
        json.writeEndObject();
        json.writeRaw('\n');
    }

    private void matrix(float[][] rows) throws IOException {
        json.writeStartArray();
        for (float[] row : rows) {
            vector(row);
        }
        json.writeEndArray();
    }

    private void vector(float[] values) throws IOException {
        json.writeStartArray();
        for (float v : values) {
            json.writeNumber(v);
        }
        json.writeEndArray();
    }

    void flush() throws IOException {
        json.flush();
    }

    /** Flushes, and closes the target if asked to at construction. */
    @Override
    public void close() throws IOException {
        json.close();
    }
}
