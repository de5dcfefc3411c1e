package org.elmosearch.plugin.search;

import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.SetOnce;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.mapper.vectors.DenseVectorFieldMapper;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.search.vectors.VectorData;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.EmbeddingSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code "rescore": {"window_size": N, "elmo": {"model_id", "text", "field", ...}}}: re-ranks the top hits of any
 * query by the similarity of their {@code field} vector to the text's embedding. The text is embedded once, on the
 * coordinating node while the request is rewritten; shards only compare vectors.
 */
public final class ElmoRescorerBuilder extends RescorerBuilder<ElmoRescorerBuilder> {

    public static final String NAME = "elmo";
    static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(List.of("model_id", "text", "field", "query_weight", "rescore_query_weight", "score_mode"));
        keys.addAll(EmbeddingSpec.KEYS);
        KEYS = List.copyOf(keys);
    }

    private final String modelId;
    private final String text;
    private final String field;
    private final EmbeddingSpec spec;
    private final float queryWeight;
    private final float rescoreQueryWeight;
    private final ElmoRescorer.ScoreMode scoreMode;
    /** The text's embedding: null until rewritten; then set directly or, during the rewrite, by the supplier. */
    private final float[] queryVector;
    private final Supplier<float[]> pendingVector;

    public ElmoRescorerBuilder(String modelId, String text, String field, EmbeddingSpec spec, float queryWeight,
                               float rescoreQueryWeight, ElmoRescorer.ScoreMode scoreMode) {
        this(modelId, text, field, spec, queryWeight, rescoreQueryWeight, scoreMode, null, null);
    }

    private ElmoRescorerBuilder(String modelId, String text, String field, EmbeddingSpec spec, float queryWeight,
                                float rescoreQueryWeight, ElmoRescorer.ScoreMode scoreMode, float[] queryVector, Supplier<float[]> pendingVector) {
        this.modelId = Objects.requireNonNull(modelId);
        this.text = Objects.requireNonNull(text);
        this.field = Objects.requireNonNull(field);
        this.spec = Objects.requireNonNull(spec);
        this.queryWeight = queryWeight;
        this.rescoreQueryWeight = rescoreQueryWeight;
        this.scoreMode = Objects.requireNonNull(scoreMode);
        this.queryVector = queryVector;
        this.pendingVector = pendingVector;
    }

    public ElmoRescorerBuilder(StreamInput in) throws IOException {
        super(in);
        modelId = in.readString();
        text = in.readString();
        field = in.readString();
        spec = EmbeddingSpec.readFrom(in);
        queryWeight = in.readFloat();
        rescoreQueryWeight = in.readFloat();
        scoreMode = in.readEnum(ElmoRescorer.ScoreMode.class);
        queryVector = in.readOptionalFloatArray();
        pendingVector = null;
    }

    public static ElmoRescorerBuilder fromXContent(XContentParser parser) throws IOException {
        Map<String, Object> map = ElmoSearchOptions.read(parser, NAME, KEYS);
        String modelId = ElmoSearchOptions.requiredString(map, NAME, "model_id");
        String field = ElmoSearchOptions.requiredString(map, NAME, "field");
        Object text = map.remove("text");
        if (!(text instanceof String s)) {
            throw new IllegalArgumentException("[" + NAME + "] [text] is required and must be a string, got [" + text + "]");
        }
        float queryWeight = ElmoSearchOptions.optionalFloat(map, NAME, "query_weight", 1f);
        float rescoreQueryWeight = ElmoSearchOptions.optionalFloat(map, NAME, "rescore_query_weight", 1f);
        Object mode = map.remove("score_mode");
        ElmoRescorer.ScoreMode scoreMode = mode == null ? ElmoRescorer.ScoreMode.TOTAL : ElmoRescorer.ScoreMode.parse(mode);
        return new ElmoRescorerBuilder(modelId, s, field, EmbeddingSpec.take(map), queryWeight, rescoreQueryWeight, scoreMode);
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        if (queryVector == null && pendingVector != null) {
            throw new IllegalStateException("[" + NAME + "] rescorer serialized before its text was embedded");
        }
        out.writeString(modelId);
        out.writeString(text);
        out.writeString(field);
        spec.writeTo(out);
        out.writeFloat(queryWeight);
        out.writeFloat(rescoreQueryWeight);
        out.writeEnum(scoreMode);
        out.writeOptionalFloatArray(queryVector);
    }

    @Override
    public ElmoRescorerBuilder rewrite(QueryRewriteContext ctx) {
        if (queryVector != null) {
            return this;
        }
        if (pendingVector != null) {
            float[] vector = pendingVector.get();
            return vector == null ? this : withQueryVector(vector);
        }
        SetOnce<float[]> toSet = new SetOnce<>();
        ElmoQueryVectorBuilder embedder = new ElmoQueryVectorBuilder(modelId, text, spec);
        ctx.registerAsyncAction((client, listener) -> embedder.buildVector(client, listener.delegateFailureAndWrap((l, vector) -> {
            toSet.set(vector);
            l.onResponse(null);
        })));
        return copy(null, toSet::get);
    }

    /** This rescorer with its text embedded. */
    ElmoRescorerBuilder withQueryVector(float[] vector) {
        return copy(vector, null);
    }

    private ElmoRescorerBuilder copy(float[] vector, Supplier<float[]> pending) {
        ElmoRescorerBuilder copy = new ElmoRescorerBuilder(modelId, text, field, spec, queryWeight, rescoreQueryWeight, scoreMode, vector, pending);
        if (windowSize != null) {
            copy.windowSize(windowSize);
        }
        return copy;
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, SearchExecutionContext context) {
        if (queryVector == null) {
            throw new IllegalStateException("[" + NAME + "] rescorer: the text was not embedded before the shard search");
        }
        return new ElmoRescorer.Context(windowSize, vectorQuery(context), queryWeight, rescoreQueryWeight, scoreMode);
    }

    /** Scores each document by its field vector's similarity to the query vector; no document without one matches. */
    private Query vectorQuery(SearchExecutionContext context) {
        MappedFieldType type = context.getFieldType(field);
        if (type == null) {
            // An index of a multi-index search without the field: its hits keep their first-pass scores.
            return new MatchNoDocsQuery("no field [" + field + "]");
        }
        if (!(type instanceof DenseVectorFieldMapper.DenseVectorFieldType vectors)) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: field [" + field + "] is of type [" + type.typeName()
                    + "]; it must be a dense_vector holding the document vectors");
        }
        try {
            return vectors.createExactKnnQuery(VectorData.fromFloats(queryVector), null, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: model [" + modelId + "] makes " + queryVector.length
                    + "-dimensional vectors that field [" + field + "] cannot be compared with: " + e.getMessage(), e);
        }
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.field("model_id", modelId);
        builder.field("text", text);
        builder.field("field", field);
        spec.toXContentFields(builder);
        builder.field("query_weight", queryWeight);
        builder.field("rescore_query_weight", rescoreQueryWeight);
        builder.field("score_mode", scoreMode.jsonName());
        builder.endObject();
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
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof ElmoRescorerBuilder b && modelId.equals(b.modelId) && text.equals(b.text)
                && field.equals(b.field) && spec.equals(b.spec) && queryWeight == b.queryWeight
                && rescoreQueryWeight == b.rescoreQueryWeight && scoreMode == b.scoreMode && Arrays.equals(queryVector, b.queryVector)
                && Objects.equals(pendingVector, b.pendingVector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), modelId, text, field, spec, queryWeight, rescoreQueryWeight, scoreMode,
                Arrays.hashCode(queryVector), pendingVector);
    }
}
