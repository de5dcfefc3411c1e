package org.elmosearch.plugin.search;

import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.util.SetOnce;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.lucene.search.Queries;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.mapper.vectors.DenseVectorFieldMapper;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.search.vectors.VectorData;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.lucene.ElmoTokenVectors;
import org.elmosearch.lucene.MaxSimRescorer;
import org.elmosearch.lucene.MaxSimValuesSource;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.lucene.ScoreMode;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;
import org.elmosearch.plugin.mapper.ElmoTokenVectorsFieldMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code "rescore": {"window_size": N, "elmo": {"model_id", "text", "field", "mode", ...}}}: re-ranks the top hits
 * of any query by the text's ELMo similarity to each document, merged with the first-pass score by {@code
 * score_mode} and the two weights. {@code "mode": "cosine"} (default) compares the text's pooled vector with a
 * {@code dense_vector} field; {@code "maxsim"} its token vectors with an {@code elmo_token_vectors} field. The text
 * is embedded once, on the coordinating node while the request is rewritten; shards only compare vectors.
 */
public final class ElmoRescorerBuilder extends RescorerBuilder<ElmoRescorerBuilder> {

    public static final String NAME = "elmo";
    static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(List.of("model_id", "text", "field", "mode", "query_weight", "rescore_query_weight", "score_mode"));
        keys.addAll(EmbeddingSpec.KEYS);
        KEYS = List.copyOf(keys);
    }

    private final String modelId;
    private final String text;
    private final String field;
    private final RescoreMode mode;
    private final EmbeddingSpec spec;
    private final ScoreCombination combination;
    /**
     * The text's embedding, rows of the model's width: its pooled vector (cosine) or its unit token vectors
     * (maxsim). Null until rewritten; then set directly or, during the rewrite, by the supplier.
     */
    private final float[][] queryVectors;
    private final Supplier<float[][]> pendingVectors;

    public ElmoRescorerBuilder(String modelId, String text, String field, RescoreMode mode, EmbeddingSpec spec, ScoreCombination combination) {
        this(modelId, text, field, mode, spec, combination, null, null);
    }

    private ElmoRescorerBuilder(String modelId, String text, String field, RescoreMode mode, EmbeddingSpec spec, ScoreCombination combination,
                                float[][] queryVectors, Supplier<float[][]> pendingVectors) {
        this.modelId = Objects.requireNonNull(modelId, "model_id");
        this.text = Objects.requireNonNull(text, "text");
        this.field = Objects.requireNonNull(field, "field");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.combination = Objects.requireNonNull(combination, "combination");
        this.queryVectors = queryVectors;
        this.pendingVectors = pendingVectors;
    }

    public ElmoRescorerBuilder(StreamInput in) throws IOException {
        super(in);
        modelId = in.readString();
        text = in.readString();
        field = in.readString();
        mode = in.readEnum(RescoreMode.class);
        spec = EmbeddingSpec.readFrom(in);
        combination = new ScoreCombination(in.readEnum(ScoreMode.class), in.readFloat(), in.readFloat());
        queryVectors = in.readBoolean() ? in.readArray(StreamInput::readFloatArray, float[][]::new) : null;
        pendingVectors = null;
    }

    public static ElmoRescorerBuilder fromXContent(XContentParser parser) throws IOException {
        Map<String, Object> map = ElmoSearchOptions.read(parser, NAME, KEYS);
        String modelId = ElmoSearchOptions.requiredString(map, NAME, "model_id");
        String field = ElmoSearchOptions.requiredString(map, NAME, "field");
        Object text = map.remove("text");
        if (!(text instanceof String s)) {
            throw new IllegalArgumentException("[" + NAME + "] [text] is required and must be a string, got [" + text + "]");
        }
        Object mode = map.remove("mode");
        float queryWeight = ElmoSearchOptions.optionalFloat(map, NAME, "query_weight", 1f);
        float rescoreQueryWeight = ElmoSearchOptions.optionalFloat(map, NAME, "rescore_query_weight", 1f);
        Object scoreMode = map.remove("score_mode");
        ScoreCombination combination = new ScoreCombination(scoreMode == null ? ScoreMode.TOTAL : scoreMode(scoreMode), queryWeight,
                rescoreQueryWeight);
        return new ElmoRescorerBuilder(modelId, s, field, mode == null ? RescoreMode.COSINE : RescoreMode.parse(mode),
                EmbeddingSpec.take(map), combination);
    }

    private static ScoreMode scoreMode(Object value) {
        if (value instanceof String s) {
            try {
                return ScoreMode.parse(s);
            } catch (IllegalArgumentException e) {
                // reported below with the rescorer's name
            }
        }
        throw new IllegalArgumentException("[" + NAME + "] [score_mode] must be one of "
                + Arrays.stream(ScoreMode.values()).map(ScoreMode::jsonName).toList() + ", got [" + value + "]");
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        if (queryVectors == null && pendingVectors != null) {
            throw new IllegalStateException("[" + NAME + "] rescorer serialized before its text was embedded");
        }
        out.writeString(modelId);
        out.writeString(text);
        out.writeString(field);
        out.writeEnum(mode);
        spec.writeTo(out);
        out.writeEnum(combination.mode());
        out.writeFloat(combination.queryWeight());
        out.writeFloat(combination.rescoreWeight());
        out.writeBoolean(queryVectors != null);
        if (queryVectors != null) {
            out.writeArray(StreamOutput::writeFloatArray, queryVectors);
        }
    }

    @Override
    public ElmoRescorerBuilder rewrite(QueryRewriteContext ctx) {
        if (queryVectors != null) {
            return this;
        }
        if (pendingVectors != null) {
            float[][] vectors = pendingVectors.get();
            return vectors == null ? this : withQueryVectors(vectors);
        }
        SetOnce<float[][]> toSet = new SetOnce<>();
        ctx.registerAsyncAction((client, listener) -> embed(client, listener.delegateFailureAndWrap((l, vectors) -> {
            toSet.set(vectors);
            l.onResponse(null);
        })));
        return copy(null, toSet::get);
    }

    /** Embeds the text on this (the coordinating) node: one pooled vector, or the unit vector of each token. */
    private void embed(Client client, ActionListener<float[][]> listener) {
        if (mode == RescoreMode.COSINE) {
            new ElmoQueryVectorBuilder(modelId, text, spec).buildVector(client, listener.map(vector -> new float[][] {vector}));
            return;
        }
        EmbedRequest request = new EmbedRequest(modelId, List.of(text), spec, EmbedRequest.Output.TOKENS);
        client.execute(EmbedAction.TYPE, request, listener.delegateFailureAndWrap((l, response) -> {
            float[][] tokens = response.results().get(0).tokenVectors();
            if (tokens.length == 0) {
                l.onFailure(new IllegalArgumentException("[" + NAME + "] [text] holds no words to embed: [" + text + "]"));
            } else {
                l.onResponse(ElmoTokenVectors.unitVectors(tokens));
            }
        }));
    }

    /** This rescorer with its text embedded. */
    ElmoRescorerBuilder withQueryVectors(float[][] vectors) {
        return copy(vectors, null);
    }

    private ElmoRescorerBuilder copy(float[][] vectors, Supplier<float[][]> pending) {
        ElmoRescorerBuilder copy = new ElmoRescorerBuilder(modelId, text, field, mode, spec, combination, vectors, pending);
        if (windowSize != null) {
            copy.windowSize(windowSize);
        }
        return copy;
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, SearchExecutionContext context) {
        if (queryVectors == null) {
            throw new IllegalStateException("[" + NAME + "] rescorer: the text was not embedded before the shard search");
        }
        MappedFieldType type = context.getFieldType(field);
        if (type == null) {
            // An index of a multi-index search without the field: its hits keep their weighted first-pass scores.
            return new ElmoRescorer.Context(windowSize, ElmoRescorer.byQuery(new MatchNoDocsQuery("no field [" + field + "]"), combination),
                    combination, "nothing: no field [" + field + "]");
        }
        return switch (mode) {
            case COSINE -> new ElmoRescorer.Context(windowSize, ElmoRescorer.byQuery(cosineQuery(type), combination), combination,
                    "the similarity of field [" + field + "] to the text's vector");
            case MAXSIM -> new ElmoRescorer.Context(windowSize, maxSim(type, context), combination,
                    "MaxSim of field [" + field + "] with the text's " + queryVectors.length + " token vectors");
        };
    }

    /** Scores each document by its field vector's similarity to the query vector; no document without one matches. */
    private org.apache.lucene.search.Query cosineQuery(MappedFieldType type) {
        if (!(type instanceof DenseVectorFieldMapper.DenseVectorFieldType vectors)) {
            String hint = type instanceof ElmoTokenVectorsFieldMapper.FieldType ? "; for token vectors use \"mode\": \"maxsim\"" : "";
            throw new IllegalArgumentException("[" + NAME + "] rescorer: field [" + field + "] is of type [" + type.typeName()
                    + "]; mode [cosine] needs a dense_vector holding the document vectors" + hint);
        }
        try {
            return vectors.createExactKnnQuery(VectorData.fromFloats(queryVectors[0]), null, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: model [" + modelId + "] makes " + queryVectors[0].length
                    + "-dimensional vectors that field [" + field + "] cannot be compared with: " + e.getMessage(), e);
        }
    }

    /**
     * MaxSim of each hit's token vectors with the query's; for a field inside a {@code nested} object (passages),
     * the best MaxSim of the hit's nested documents.
     */
    private org.apache.lucene.search.Rescorer maxSim(MappedFieldType type, SearchExecutionContext context) {
        if (!(type instanceof ElmoTokenVectorsFieldMapper.FieldType tokens)) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: field [" + field + "] is of type [" + type.typeName()
                    + "]; mode [maxsim] needs an [" + ElmoTokenVectorsFieldMapper.CONTENT_TYPE + "] field holding the token vectors");
        }
        int dims = tokens.format().dims();
        if (dims != queryVectors[0].length) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: model [" + modelId + "] makes " + queryVectors[0].length
                    + "-dimensional token vectors but field [" + field + "] of type [" + ElmoTokenVectorsFieldMapper.CONTENT_TYPE
                    + "] has dims [" + dims + "]: index and query with the same model");
        }
        MaxSimValuesSource maxSim = new MaxSimValuesSource(field, queryVectors);
        if (context.nestedLookup().getNestedParent(field) == null) {
            return new MaxSimRescorer(maxSim, combination);
        }
        BitSetProducer topLevel = context.bitsetFilter(Queries.newNonNestedFilter(context.indexVersionCreated()));
        return new MaxSimRescorer(new BestNestedValuesSource(maxSim, topLevel), combination);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.field("model_id", modelId);
        builder.field("text", text);
        builder.field("field", field);
        builder.field("mode", mode.jsonName());
        spec.toXContentFields(builder);
        builder.field("query_weight", combination.queryWeight());
        builder.field("rescore_query_weight", combination.rescoreWeight());
        builder.field("score_mode", combination.mode().jsonName());
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
                && field.equals(b.field) && mode == b.mode && spec.equals(b.spec) && combination.equals(b.combination)
                && Arrays.deepEquals(queryVectors, b.queryVectors) && Objects.equals(pendingVectors, b.pendingVectors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), modelId, text, field, mode, spec, combination, Arrays.deepHashCode(queryVectors), pendingVectors);
    }
}
