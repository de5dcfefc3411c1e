package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.analysis.Token;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Vectors for each requested text; sent back over the wire when the request was forwarded to another node. */
public final class EmbedResponse extends ActionResponse implements ToXContentObject {

    /**
     * One text's result.
     *
     * @param tokens       the embedded tokens
     * @param truncated    whether the text was cut to max_tokens
     * @param vector       the pooled vector, null for a text without tokens or when not requested
     * @param tokenVectors per token mixed vectors ({@code tokens} output), ranking vectors ({@code ranking}) or null
     * @param layers       per layer, per token vectors ({@code layers} output) or null
     * @param tokenWeights per token MaxSim weights ({@code ranking} output with IDF weighting) or null
     */
    public record Result(List<Token> tokens, boolean truncated, float[] vector, float[][] tokenVectors, float[][][] layers,
                         float[] tokenWeights) {

        /** By the arrays' contents, which a record compares by identity. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && tokens.equals(r.tokens) && truncated == r.truncated && Arrays.equals(vector, r.vector)
                    && Arrays.deepEquals(tokenVectors, r.tokenVectors) && Arrays.deepEquals(layers, r.layers)
                    && Arrays.equals(tokenWeights, r.tokenWeights);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tokens, truncated, Arrays.hashCode(vector), Arrays.deepHashCode(tokenVectors), Arrays.deepHashCode(layers),
                    Arrays.hashCode(tokenWeights));
        }
    }

    private final String modelId;
    private final int dims;
    private final List<Result> results;

    public EmbedResponse(String modelId, int dims, List<Result> results) {
        this.modelId = modelId;
        this.dims = dims;
        this.results = results;
    }

    public EmbedResponse(StreamInput in) throws IOException {
        modelId = in.readString();
        dims = in.readVInt();
        results = in.readCollectionAsList(EmbedResponse::readResult);
    }

    private static Result readResult(StreamInput in) throws IOException {
        List<Token> tokens = in.readCollectionAsList(t -> new Token(t.readString(), t.readVInt(), t.readVInt()));
        boolean truncated = in.readBoolean();
        float[] vector = in.readOptional(StreamInput::readFloatArray);
        float[][] tokenVectors = in.readOptional(EmbedResponse::readMatrix);
        float[][][] layers = in.readOptional(layer -> layer.readArray(EmbedResponse::readMatrix, float[][][]::new));
        float[] tokenWeights = in.readOptional(StreamInput::readFloatArray);
        return new Result(tokens, truncated, vector, tokenVectors, layers, tokenWeights);
    }

    private static void writeResult(StreamOutput out, Result result) throws IOException {
        out.writeCollection(result.tokens(), (o, t) -> {
            o.writeString(t.text());
            o.writeVInt(t.startOffset());
            o.writeVInt(t.endOffset());
        });
        out.writeBoolean(result.truncated());
        out.writeOptional(StreamOutput::writeFloatArray, result.vector());
        out.writeOptional(EmbedResponse::writeMatrix, result.tokenVectors());
        out.writeOptional((o, layers) -> o.writeArray(EmbedResponse::writeMatrix, layers), result.layers());
        out.writeOptional(StreamOutput::writeFloatArray, result.tokenWeights());
    }

    private static float[][] readMatrix(StreamInput in) throws IOException {
        return in.readArray(StreamInput::readFloatArray, float[][]::new);
    }

    private static void writeMatrix(StreamOutput out, float[][] rows) throws IOException {
        out.writeArray(StreamOutput::writeFloatArray, rows);
    }

    public int dims() {
        return dims;
    }

    public List<Result> results() {
        return results;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("model_id", modelId);
        builder.field("dims", dims);
        builder.startArray("results");
        for (Result r : results) {
            builder.startObject();
            builder.field("token_count", r.tokens().size());
            builder.field("truncated", r.truncated());
            if (r.vector() != null) {
                builder.array("vector", r.vector());
            }
            if (r.tokenVectors() != null || r.layers() != null) {
                builder.startArray("tokens");
                for (int t = 0; t < r.tokens().size(); t++) {
                    Token token = r.tokens().get(t);
                    builder.startObject();
                    builder.field("text", token.text());
                    builder.field("start_offset", token.startOffset());
                    builder.field("end_offset", token.endOffset());
                    if (r.tokenWeights() != null) {
                        builder.field("weight", r.tokenWeights()[t]);
                    }
                    if (r.tokenVectors() != null) {
                        builder.array("vector", r.tokenVectors()[t]);
                    } else {
                        builder.startArray("layers");
                        for (float[][] layer : r.layers()) {
                            builder.value(layer[t]);
                        }
                        builder.endArray();
                    }
                    builder.endObject();
                }
                builder.endArray();
            }
            builder.endObject();
        }
        builder.endArray();
        return builder.endObject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmbedResponse r && modelId.equals(r.modelId) && dims == r.dims && results.equals(r.results);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, dims, results);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(modelId);
        out.writeVInt(dims);
        out.writeCollection(results, EmbedResponse::writeResult);
    }
}
