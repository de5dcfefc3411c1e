package org.elmosearch.plugin.search;

import org.elasticsearch.TransportVersion;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.search.vectors.QueryVectorBuilder;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.ElmoObjectParsers;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code "query_vector_builder": {"elmo": {"model_id": ..., "text": ...}}} for {@code knn}: embeds the text through
 * the coordinating node with the model's defaults (or the given mix/pooling), as the {@code elmo} processor embedded
 * the documents: for a model with token statistics, its ranking vector, unless the options opt out
 * ({@code LoadedModel#vectorRanking}), the rule the processor follows.
 */
public final class ElmoQueryVectorBuilder implements QueryVectorBuilder {

    public static final String NAME = "elmo";
    static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(List.of("model_id", "text"));
        keys.addAll(EmbeddingSpec.KEYS);
        KEYS = List.copyOf(keys);
    }

    private final String modelId;
    private final String text;
    private final EmbeddingSpec spec;

    public ElmoQueryVectorBuilder(String modelId, String text, EmbeddingSpec spec) {
        this.modelId = Objects.requireNonNull(modelId, "model_id");
        this.text = Objects.requireNonNull(text, "text");
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public ElmoQueryVectorBuilder(StreamInput in) throws IOException {
        this(in.readString(), in.readString(), EmbeddingSpec.readFrom(in));
    }

    /** The options as given; checked when the builder is made. */
    private static final class Options extends ElmoObjectParsers.SpecOptions {
        String modelId;
        String text;
    }

    private static final ObjectParser<Options, Void> PARSER = new ObjectParser<>(NAME, ElmoObjectParsers.refuseUnknown(NAME, KEYS),
            Options::new);

    static {
        PARSER.declareString((o, v) -> o.modelId = v, new ParseField("model_id"));
        PARSER.declareString((o, v) -> o.text = v, new ParseField("text"));
        ElmoObjectParsers.declareSpec(PARSER);
    }

    public static ElmoQueryVectorBuilder fromXContent(XContentParser parser) throws IOException {
        Options options = PARSER.parse(parser, null);
        return new ElmoQueryVectorBuilder(ElmoObjectParsers.required(NAME, "model_id", options.modelId),
                ElmoObjectParsers.required(NAME, "text", options.text), options.spec());
    }

    @Override
    public void buildVector(Client client, ActionListener<float[]> listener) {
        EmbedRequest request = new EmbedRequest(modelId, List.of(text), spec, EmbedRequest.Output.POOLED);
        client.execute(EmbedAction.TYPE, request, listener.delegateFailureAndWrap((l, response) -> {
            float[] vector = response.results().get(0).vector();
            if (vector == null) {
                l.onFailure(new IllegalArgumentException("[" + NAME + "] [text] holds no words to embed: [" + text + "]"));
            } else {
                l.onResponse(vector);
            }
        }));
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.minimumCompatible();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(modelId);
        out.writeString(text);
        spec.writeTo(out);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("model_id", modelId);
        builder.field("text", text);
        spec.toXContentFields(builder);
        return builder.endObject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ElmoQueryVectorBuilder b && modelId.equals(b.modelId) && text.equals(b.text) && spec.equals(b.spec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, text, spec);
    }
}
