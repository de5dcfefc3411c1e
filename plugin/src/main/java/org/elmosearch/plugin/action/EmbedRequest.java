package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elmosearch.node.EmbeddingSpec;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

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
        LAYERS;

        public static Output parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[output] must be \"pooled\", \"tokens\" or \"layers\", got [" + value + "]");
            }
        }
    }

    /** Texts per request: a request is embedded on one node, so it is kept to what one batch round can take. */
    public static final int MAX_TEXTS = 1024;

    private final String modelId;
    private final List<String> texts;
    private final EmbeddingSpec spec;
    private final Output output;
    private final boolean forwarded;

    public EmbedRequest(String modelId, List<String> texts, EmbeddingSpec spec, Output output) {
        this.modelId = modelId;
        this.texts = texts;
        this.spec = spec;
        this.output = output;
        this.forwarded = false;
    }

    /** A request forwarded from another node: only that node sends one over the wire. */
    public EmbedRequest(StreamInput in) throws IOException {
        super(in);
        modelId = in.readString();
        texts = in.readStringCollectionAsList();
        spec = EmbeddingSpec.readFrom(in);
        output = in.readEnum(Output.class);
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
        return e;
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        out.writeString(modelId);
        out.writeStringCollection(texts);
        spec.writeTo(out);
        out.writeEnum(output);
    }
}
