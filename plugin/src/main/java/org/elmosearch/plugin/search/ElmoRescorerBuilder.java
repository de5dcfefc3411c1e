package org.elmosearch.plugin.search;

import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Rescorer;
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
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.lucene.FusionRescorer;
import org.elmosearch.lucene.MaxSimRescorer;
import org.elmosearch.lucene.MaxSimValuesSource;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.lucene.ScoreMode;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.ElmoObjectParsers;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;
import org.elmosearch.plugin.action.EmbedResponse;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.ScoreNormalization;
import org.elmosearch.plugin.mapper.ElmoTokenVectorsFieldMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code "rescore": {"window_size": N, "elmo": {"model_id", "text", "field", "mode", ...}}}: re-ranks the top hits
 * of any query by the text's ELMo similarity to each document. {@code "mode": "cosine"} (default) compares the
 * text's pooled vector with a {@code dense_vector} field; {@code "maxsim"} its token vectors with an {@code
 * elmo_token_vectors} field, query tokens weighted by IDF where the model has token statistics ({@code "idf"}).
 *
 * <p>With {@code "normalization": "zscore"} or {@code "minmax"} (default {@link ScoreFusion#DEFAULT}'s) each shard's
 * window is re-ranked by analysis' {@link FusionRescorer}: first-pass and ELMo scores normalized within the window
 * and added with {@code query_weight} and {@code rescore_query_weight} (default {@link ScoreFusion#DEFAULT}'s). With
 * {@code "none"} the raw scores merge by {@code score_mode} and the two weights (default 1), as Elasticsearch's query
 * rescorer does. The text is embedded once, on the coordinating node while the request is rewritten (by a node that
 * has the model); shards only compare vectors.
 */
public final class ElmoRescorerBuilder extends RescorerBuilder<ElmoRescorerBuilder> {

    public static final String NAME = "elmo";
    static final String NORMALIZATION = "normalization";
    static final String IDF = "idf";
    static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(List.of("model_id", "text", "field", "mode", NORMALIZATION, "query_weight",
                "rescore_query_weight", "score_mode", IDF));
        keys.addAll(EmbeddingSpec.KEYS);
        KEYS = List.copyOf(keys);
    }

    /** The text's embedding as the rewrite receives it. */
    private record QueryEmbedding(float[][] vectors, float[] weights) {
    }

    private final String modelId;
    private final String text;
    private final String field;
    private final RescoreMode mode;
    private final EmbeddingSpec spec;
    private final ScoreNormalization normalization;
    /** The weights; its score mode applies with normalization none only, and is {@code total} otherwise. */
    private final ScoreCombination combination;
    /** Whether MaxSim weighs query tokens by IDF; null for the model's default (on where it has token statistics). */
    private final Boolean idf;
    /**
     * The text's embedding, rows of the model's width: its pooled vector (cosine) or its token vectors (maxsim),
     * with the tokens' MaxSim weights (null: all 1). Null until rewritten; then set directly or, during the rewrite,
     * by the supplier.
     */
    private final float[][] queryVectors;
    private final float[] queryWeights;
    private final Supplier<QueryEmbedding> pendingEmbedding;

    /** Raw scores merged by {@code combination} (normalization none), query tokens weighted as the model's default. */
    public ElmoRescorerBuilder(String modelId, String text, String field, RescoreMode mode, EmbeddingSpec spec, ScoreCombination combination) {
        this(modelId, text, field, mode, spec, ScoreNormalization.NONE, combination, null, null, null, null);
    }

    /**
     * Scores fused by {@code fusion}: normalized within the window unless its normalization is none (then added,
     * as {@code score_mode} {@code total}).
     *
     * @param idf whether MaxSim weighs query tokens by IDF; null for the model's default
     */
    public ElmoRescorerBuilder(String modelId, String text, String field, RescoreMode mode, EmbeddingSpec spec, ScoreFusion fusion,
                               Boolean idf) {
        this(modelId, text, field, mode, spec, fusion.normalization(),
                new ScoreCombination(ScoreMode.TOTAL, fusion.firstPassWeight(), fusion.elmoWeight()), idf, null, null, null);
    }

    private ElmoRescorerBuilder(String modelId, String text, String field, RescoreMode mode, EmbeddingSpec spec,
                                ScoreNormalization normalization, ScoreCombination combination, Boolean idf, float[][] queryVectors,
                                float[] queryWeights, Supplier<QueryEmbedding> pendingEmbedding) {
        this.modelId = Objects.requireNonNull(modelId, "model_id");
        this.text = Objects.requireNonNull(text, "text");
        this.field = Objects.requireNonNull(field, "field");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.combination = Objects.requireNonNull(combination, "combination");
        if (normalization != ScoreNormalization.NONE && combination.mode() != ScoreMode.TOTAL) {
            throw new IllegalArgumentException(scoreModeNeedsNoNormalization(normalization));
        }
        if (idf != null && mode != RescoreMode.MAXSIM) {
            throw new IllegalArgumentException("[" + NAME + "] [" + IDF + "] weighs MaxSim's query tokens: it only applies to [mode] [maxsim]");
        }
        this.idf = idf;
        this.queryVectors = queryVectors;
        this.queryWeights = queryWeights;
        this.pendingEmbedding = pendingEmbedding;
    }

    public ElmoRescorerBuilder(StreamInput in) throws IOException {
        super(in);
        modelId = in.readString();
        text = in.readString();
        field = in.readString();
        mode = in.readEnum(RescoreMode.class);
        spec = EmbeddingSpec.readFrom(in);
        normalization = in.readEnum(ScoreNormalization.class);
        combination = new ScoreCombination(in.readEnum(ScoreMode.class), in.readFloat(), in.readFloat());
        idf = in.readOptionalBoolean();
        queryVectors = in.readBoolean() ? in.readArray(StreamInput::readFloatArray, float[][]::new) : null;
        queryWeights = in.readOptional(StreamInput::readFloatArray);
        pendingEmbedding = null;
    }

    private static String scoreModeNeedsNoNormalization(ScoreNormalization normalization) {
        return "[" + NAME + "] [score_mode] only applies with [" + NORMALIZATION + "] [none]; with [" + NORMALIZATION + "] ["
                + normalization.jsonName() + "] the window's normalized scores are added with [query_weight] and [rescore_query_weight]";
    }

    /** The options as given; checked when the builder is made. */
    private static final class Options extends ElmoObjectParsers.SpecOptions {
        String modelId;
        String text;
        String field;
        String mode;
        String normalization;
        Float queryWeight;
        Float rescoreQueryWeight;
        String scoreMode;
        Boolean idf;
    }

    private static final ObjectParser<Options, Void> PARSER = new ObjectParser<>(NAME, ElmoObjectParsers.refuseUnknown(NAME, KEYS),
            Options::new);

    static {
        PARSER.declareString((o, v) -> o.modelId = v, new ParseField("model_id"));
        PARSER.declareString((o, v) -> o.text = v, new ParseField("text"));
        PARSER.declareString((o, v) -> o.field = v, new ParseField("field"));
        PARSER.declareString((o, v) -> o.mode = v, new ParseField("mode"));
        PARSER.declareString((o, v) -> o.normalization = v, new ParseField(NORMALIZATION));
        PARSER.declareFloat((o, v) -> o.queryWeight = v, new ParseField("query_weight"));
        PARSER.declareFloat((o, v) -> o.rescoreQueryWeight = v, new ParseField("rescore_query_weight"));
        PARSER.declareString((o, v) -> o.scoreMode = v, new ParseField("score_mode"));
        PARSER.declareBoolean((o, v) -> o.idf = v, new ParseField(IDF));
        ElmoObjectParsers.declareSpec(PARSER);
    }

    public static ElmoRescorerBuilder fromXContent(XContentParser parser) throws IOException {
        Options options = PARSER.parse(parser, null);
        String modelId = ElmoObjectParsers.required(NAME, "model_id", options.modelId);
        String field = ElmoObjectParsers.required(NAME, "field", options.field);
        String text = ElmoObjectParsers.required(NAME, "text", options.text);
        ScoreNormalization normalization = options.normalization == null ? ScoreFusion.DEFAULT.normalization()
                : normalization(options.normalization);
        if (options.scoreMode != null && normalization != ScoreNormalization.NONE) {
            throw new IllegalArgumentException(scoreModeNeedsNoNormalization(normalization));
        }
        // Raw scores merge with Elasticsearch's weights of 1; normalized ones with the fusion the project measured best.
        boolean fused = normalization != ScoreNormalization.NONE;
        float queryWeight = finite("query_weight", options.queryWeight, fused ? ScoreFusion.DEFAULT.firstPassWeight() : 1f);
        float rescoreQueryWeight = finite("rescore_query_weight", options.rescoreQueryWeight, fused ? ScoreFusion.DEFAULT.elmoWeight() : 1f);
        ScoreCombination combination = new ScoreCombination(options.scoreMode == null ? ScoreMode.TOTAL : scoreMode(options.scoreMode),
                queryWeight, rescoreQueryWeight);
        RescoreMode mode = options.mode == null ? RescoreMode.COSINE : RescoreMode.parse(options.mode);
        return new ElmoRescorerBuilder(modelId, text, field, mode, options.spec(), normalization, combination, options.idf, null, null, null);
    }

    private static float finite(String key, Float value, float fallback) {
        if (value == null) {
            return fallback;
        }
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("[" + NAME + "] [" + key + "] must be a finite number, got [" + value + "]");
        }
        return value;
    }

    private static ScoreNormalization normalization(String value) {
        try {
            return ScoreNormalization.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[" + NAME + "] [" + NORMALIZATION + "] must be one of "
                    + Arrays.stream(ScoreNormalization.values()).map(ScoreNormalization::jsonName).toList() + ", got [" + value + "]", e);
        }
    }

    private static ScoreMode scoreMode(String value) {
        try {
            return ScoreMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[" + NAME + "] [score_mode] must be one of "
                    + Arrays.stream(ScoreMode.values()).map(ScoreMode::jsonName).toList() + ", got [" + value + "]", e);
        }
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        if (queryVectors == null && pendingEmbedding != null) {
            throw new IllegalStateException("[" + NAME + "] rescorer serialized before its text was embedded");
        }
        out.writeString(modelId);
        out.writeString(text);
        out.writeString(field);
        out.writeEnum(mode);
        spec.writeTo(out);
        out.writeEnum(normalization);
        out.writeEnum(combination.mode());
        out.writeFloat(combination.queryWeight());
        out.writeFloat(combination.rescoreWeight());
        out.writeOptionalBoolean(idf);
        out.writeBoolean(queryVectors != null);
        if (queryVectors != null) {
            out.writeArray(StreamOutput::writeFloatArray, queryVectors);
        }
        out.writeOptional(StreamOutput::writeFloatArray, queryWeights);
    }

    @Override
    public ElmoRescorerBuilder rewrite(QueryRewriteContext ctx) {
        if (queryVectors != null) {
            return this;
        }
        if (pendingEmbedding != null) {
            QueryEmbedding embedding = pendingEmbedding.get();
            return embedding == null ? this : withQueryVectors(embedding.vectors(), embedding.weights());
        }
        SetOnce<QueryEmbedding> toSet = new SetOnce<>();
        ctx.registerAsyncAction((client, listener) -> embed(client, listener.delegateFailureAndWrap((l, embedding) -> {
            toSet.set(embedding);
            l.onResponse(null);
        })));
        return copy(null, null, toSet::get);
    }

    /**
     * Embeds the text through this (the coordinating) node: one pooled vector, or each token's ranking vector and
     * MaxSim weight, made by a node with the model as the processor made the documents'.
     */
    private void embed(Client client, ActionListener<QueryEmbedding> listener) {
        if (mode == RescoreMode.COSINE) {
            new ElmoQueryVectorBuilder(modelId, text, spec).buildVector(client, listener.map(vector -> new QueryEmbedding(new float[][] {vector}, null)));
            return;
        }
        EmbedRequest request = new EmbedRequest(modelId, List.of(text), spec, EmbedRequest.Output.RANKING, idf);
        client.execute(EmbedAction.TYPE, request, listener.delegateFailureAndWrap((l, response) -> {
            EmbedResponse.Result result = response.results().get(0);
            if (result.tokenVectors().length == 0) {
                l.onFailure(new IllegalArgumentException("[" + NAME + "] [text] holds no words to embed: [" + text + "]"));
            } else {
                l.onResponse(new QueryEmbedding(result.tokenVectors(), result.tokenWeights()));
            }
        }));
    }

    /** This rescorer with its text embedded: query vectors and, for MaxSim, the tokens' weights (null: all 1). */
    ElmoRescorerBuilder withQueryVectors(float[][] vectors, float[] weights) {
        return copy(vectors, weights, null);
    }

    private ElmoRescorerBuilder copy(float[][] vectors, float[] weights, Supplier<QueryEmbedding> pending) {
        ElmoRescorerBuilder copy = new ElmoRescorerBuilder(modelId, text, field, mode, spec, normalization, combination, idf, vectors, weights,
                pending);
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
            // An index of a multi-index search without the field: no hit has an ELMo score, the first pass decides.
            Query nothing = new MatchNoDocsQuery("no field [" + field + "]");
            return context(windowSize, () -> ElmoRescorer.byQuery(nothing, combination), () -> DoubleValuesSource.fromQuery(nothing),
                    "nothing: no field [" + field + "]");
        }
        return switch (mode) {
            case COSINE -> context(windowSize, () -> ElmoRescorer.byQuery(cosineQuery(type), combination),
                    () -> bestNestedIfNeeded(cosine(type, context), context), "the similarity of field [" + field + "] to the text's vector");
            case MAXSIM -> context(windowSize, () -> new MaxSimRescorer(bestNestedIfNeeded(maxSim(type), context), combination),
                    () -> bestNestedIfNeeded(maxSim(type), context),
                    "MaxSim of field [" + field + "] with the text's " + queryVectors.length + " token vectors"
                            + (queryWeights == null ? "" : ", weighted by IDF"));
        };
    }

    /**
     * The shard's rescore context: with normalization none the window is re-ranked by {@code combined}'s score_mode
     * arithmetic, otherwise by a {@link FusionRescorer} of {@code elmoScore}.
     */
    private ElmoRescorer.Context context(int windowSize, Supplier<Rescorer> combined, Supplier<DoubleValuesSource> elmoScore,
                                         String description) {
        if (normalization == ScoreNormalization.NONE) {
            return new ElmoRescorer.Context(windowSize, combined.get(), combination, description);
        }
        ScoreFusion fusion = new ScoreFusion(normalization, combination.queryWeight(), combination.rescoreWeight());
        return new ElmoRescorer.Context(windowSize, new FusionRescorer(elmoScore.get(), fusion), null, description);
    }

    /** Scores each document by its field vector's similarity to the query vector; no document without one matches. */
    private Query cosineQuery(MappedFieldType type) {
        DenseVectorFieldMapper.DenseVectorFieldType vectors = denseVectorField(type);
        try {
            return vectors.createExactKnnQuery(VectorData.fromFloats(queryVectors[0]), null, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: model [" + modelId + "] makes " + queryVectors[0].length
                    + "-dimensional vectors that field [" + field + "] cannot be compared with: " + e.getMessage(), e);
        }
    }

    /**
     * Each document's similarity, by the field's own similarity function, of its full-precision float vector to the
     * query vector, for fusion: {@code (1 + cosine) / 2} for a cosine field, as in the kNN score.
     */
    private DoubleValuesSource cosine(MappedFieldType type, SearchExecutionContext context) {
        DenseVectorFieldMapper.DenseVectorFieldType vectors = denseVectorField(type);
        if (vectors.getElementType() != DenseVectorFieldMapper.ElementType.FLOAT || vectors.getVectorDimensions() != queryVectors[0].length) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: model [" + modelId + "] makes " + queryVectors[0].length
                    + "-dimensional vectors that field [" + field + "] cannot be compared with: it holds [" + vectors.getVectorDimensions()
                    + "]-dimensional [" + vectors.getElementType() + "] vectors; index and query with the same model");
        }
        if (vectors.getSimilarity() == null) {
            throw new IllegalArgumentException("[" + NAME + "] rescorer: field [" + field + "] is not indexed (\"index\": false), and ["
                    + NORMALIZATION + "] [" + normalization.jsonName() + "] reads indexed vectors: index the field or use [" + NORMALIZATION
                    + "] [none]");
        }
        VectorSimilarityFunction similarity = vectors.getSimilarity().vectorSimilarityFunction(context.indexVersionCreated(),
                DenseVectorFieldMapper.ElementType.FLOAT);
        return new FullPrecisionFloatVectorSimilarityValuesSource(queryVectors[0], field, similarity);
    }

    private DenseVectorFieldMapper.DenseVectorFieldType denseVectorField(MappedFieldType type) {
        if (!(type instanceof DenseVectorFieldMapper.DenseVectorFieldType vectors)) {
            String hint = type instanceof ElmoTokenVectorsFieldMapper.FieldType ? "; for token vectors use \"mode\": \"maxsim\"" : "";
            throw new IllegalArgumentException("[" + NAME + "] rescorer: field [" + field + "] is of type [" + type.typeName()
                    + "]; mode [cosine] needs a dense_vector holding the document vectors" + hint);
        }
        return vectors;
    }

    /** MaxSim of each document's token vectors with the query's, each query token's best cosine times its weight. */
    private MaxSimValuesSource maxSim(MappedFieldType type) {
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
        return new MaxSimValuesSource(field, queryVectors, queryWeights);
    }

    /** For a field inside a {@code nested} object (passages), a hit's score is its best nested document's. */
    private DoubleValuesSource bestNestedIfNeeded(DoubleValuesSource score, SearchExecutionContext context) {
        if (context.nestedLookup().getNestedParent(field) == null) {
            return score;
        }
        BitSetProducer topLevel = context.bitsetFilter(Queries.newNonNestedFilter(context.indexVersionCreated()));
        return new BestNestedValuesSource(score, topLevel);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.field("model_id", modelId);
        builder.field("text", text);
        builder.field("field", field);
        builder.field("mode", mode.jsonName());
        spec.toXContentFields(builder);
        builder.field(NORMALIZATION, normalization.jsonName());
        builder.field("query_weight", combination.queryWeight());
        builder.field("rescore_query_weight", combination.rescoreWeight());
        if (normalization == ScoreNormalization.NONE) {
            builder.field("score_mode", combination.mode().jsonName());
        }
        if (idf != null) {
            builder.field(IDF, idf);
        }
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
                && field.equals(b.field) && mode == b.mode && spec.equals(b.spec) && normalization == b.normalization
                && combination.equals(b.combination) && Objects.equals(idf, b.idf) && Arrays.deepEquals(queryVectors, b.queryVectors)
                && Arrays.equals(queryWeights, b.queryWeights) && Objects.equals(pendingEmbedding, b.pendingEmbedding);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), modelId, text, field, mode, spec, normalization, combination, idf,
                Arrays.deepHashCode(queryVectors), Arrays.hashCode(queryWeights), pendingEmbedding);
    }
}
