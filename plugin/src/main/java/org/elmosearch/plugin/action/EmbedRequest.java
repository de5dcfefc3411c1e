package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elmosearch.node.EmbeddingSpec;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import static org.elasticsearch.action.ValidateActions.addValidationError;

/**
 * Texts to embed. The REST layer, the query vector builder and the rescorer send it to their own node, which
 * forwards it to a node that has the model when it has none itself; a forwarded request is embedded where it lands.
 */
public final class EmbedRequest extends ActionRequest {

    /** What the response holds per text. */
    public enum Output {
        /** The pooled text vector. */
        POOLED,
        /** Each token with its mixed vector. */
        TOKENS,
        /** Each token with every biLM layer, unmixed. */
        LAYERS,
        /**
         * What a MaxSim query compares: each token's ranking vector (unit length; transformed by the model's token
         * statistics unless the request opts out) and MaxSim weight (IDF, or none), and the ranking pooled vector.
         */
        RANKING;

        public static Output parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[output] must be one of " + java.util.Arrays.stream(values())
                        .map(o -> o.name().toLowerCase(Locale.ROOT)).toList() + ", got [" + value + "]");
            }
        }
    }

    /** Texts per request: a request is embedded on one node, so it is kept to what one batch round can take. */
    public static final int MAX_TEXTS = 1024;

    private final String modelId;
    private final List<String> texts;
    private final EmbeddingSpec spec;
    private final Output output;
    private final Boolean idf;
    private final boolean forwarded;

    public EmbedRequest(String modelId, List<String> texts, EmbeddingSpec spec, Output output) {
        this(modelId, texts, spec, output, null);
    }

    /** @param idf for {@link Output#RANKING}: whether tokens get IDF weights; null for the model's default */
    public EmbedRequest(String modelId, List<String> texts, EmbeddingSpec spec, Output output, Boolean idf) {
        this.modelId = modelId;
        this.texts = texts;
        this.spec = spec;
        this.output = output;
        this.idf = idf;
        this.forwarded = false;
    }

    /** A request forwarded from another node: only that node sends one over the wire. */
    public EmbedRequest(StreamInput in) throws IOException {
        super(in);
        modelId = in.readString();
        texts = in.readStringCollectionAsList();
        spec = EmbeddingSpec.readFrom(in);
        output = in.readEnum(Output.class);
        idf = in.readOptionalBoolean();
        forwarded = true;
    }

    /** Whether another node sent it here because it has no such model: it is not forwarded again. */
    boolean forwarded() {
        return forwarded;
    }

    public String modelId() {
        return modelId;
    }

    public List<String> texts() {
        return texts;
    }

    public EmbeddingSpec spec() {
        return spec;
    }

    public Output output() {
        return output;
    }

    /** Whether {@link Output#RANKING} weighs tokens by IDF; null for the model's default. */
    public Boolean idf() {
        return idf;
    }

    @Override
    public ActionRequestValidationException validate() {
        ActionRequestValidationException e = null;
        if (modelId == null || modelId.isEmpty()) {
            e = addValidationError("[model_id] is required", e);
        }
        if (texts == null || texts.isEmpty()) {
            e = addValidationError("[texts] must hold at least one text", e);
        } else if (texts.size() > MAX_TEXTS) {
            e = addValidationError("[texts] holds " + texts.size() + " texts, more than the limit of " + MAX_TEXTS, e);
        } else if (texts.stream().anyMatch(t -> t == null)) {
            e = addValidationError("[texts] must not hold null", e);
        }
        if (idf != null && output != Output.RANKING) {
            e = addValidationError("[idf] only applies to [output] [ranking]", e);
        }
        return e;
    }

    /** Whether it was {@link #forwarded} is not part of a request's value: it is where the request came from. */
    @Override
    public boolean equals(Object o) {
        return o instanceof EmbedRequest r && Objects.equals(modelId, r.modelId) && Objects.equals(texts, r.texts)
                && Objects.equals(spec, r.spec) && output == r.output && Objects.equals(idf, r.idf);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, texts, spec, output, idf);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        out.writeString(modelId);
        out.writeStringCollection(texts);
        spec.writeTo(out);
        out.writeEnum(output);
        out.writeOptionalBoolean(idf);
    }
}
