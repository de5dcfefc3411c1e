package org.elmosearch.plugin.search;

import org.apache.lucene.search.ScoreDoc;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.rank.RankDoc;
import org.elasticsearch.search.retriever.CompoundRetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverParserContext;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.plugin.ElmoObjectParsers;
import org.elmosearch.rank.RankFusion;
import org.elmosearch.rank.RankFusion.Scored;
import org.elmosearch.rank.ScoreNormalization;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code "retriever": {"elmo_fusion": {"method", "normalizer", "rank_constant", "rank_window_size", "retrievers":
 * [{"retriever": {...}, "weight": w}, ...], "filter", "min_score", "_name"}}}: runs each child retriever for its top
 * {@code rank_window_size} hits and merges them with {@link RankFusion}, either {@code linear} (the children's scores
 * normalized within their windows, counted from each window's lowest, weighted and summed; a hit missing from a
 * child's window gets nothing from that child, as if it had the window's lowest score) or {@code rrf} (reciprocal
 * rank fusion). It is the plugin's own fusion for clusters whose licence lacks Elasticsearch's {@code rrf} and
 * {@code linear} retrievers; {@code filter} reaches every child, {@code min_score} applies to the fused score.
 * Explanations ({@code "explain": true}) are Elasticsearch's generic ones for ranked hits: the rank (with the fused
 * score in the text), over each child's own explanation.
 */
public final class ElmoFusionRetrieverBuilder extends CompoundRetrieverBuilder<ElmoFusionRetrieverBuilder> {

    public static final String NAME = "elmo_fusion";
    public static final int DEFAULT_RANK_WINDOW_SIZE = 100;
    /**
     * Z-scores: the normalization of the core's {@code ScoreFusion.DEFAULT}, chosen there on SQuAD. Min-max rests on
     * each window's two extreme scores, so one outlying BM25 score squeezes the others towards 0; a z-score uses the
     * spread of the whole window.
     */
    public static final ScoreNormalization DEFAULT_NORMALIZER = ScoreNormalization.Z_SCORE;

    static final ParseField METHOD_FIELD = new ParseField("method");
    static final ParseField NORMALIZER_FIELD = new ParseField("normalizer");
    static final ParseField RANK_CONSTANT_FIELD = new ParseField("rank_constant");
    static final ParseField RETRIEVERS_FIELD = new ParseField("retrievers");
    static final ParseField RETRIEVER_FIELD = new ParseField("retriever");
    static final ParseField WEIGHT_FIELD = new ParseField("weight");

    static final List<String> OPTIONS = List.of(METHOD_FIELD.getPreferredName(), NORMALIZER_FIELD.getPreferredName(),
            RANK_CONSTANT_FIELD.getPreferredName(), RANK_WINDOW_SIZE_FIELD.getPreferredName(), RETRIEVERS_FIELD.getPreferredName(),
            PRE_FILTER_FIELD.getPreferredName(), MIN_SCORE_FIELD.getPreferredName(), NAME_FIELD.getPreferredName());
    static final List<String> CHILD_OPTIONS = List.of(RETRIEVER_FIELD.getPreferredName(), WEIGHT_FIELD.getPreferredName());

    private final FusionMethod method;
    /** linear only; null for rrf */
    private final ScoreNormalization normalizer;
    /** linear only, one per child; null for rrf */
    private final float[] weights;
    /** rrf only; 0 for linear */
    private final int rankConstant;

    /** A weighted sum of the children's scores, each normalized within its window by {@code normalizer}. */
    public static ElmoFusionRetrieverBuilder linear(List<RetrieverBuilder> children, float[] weights, ScoreNormalization normalizer,
                                                    int rankWindowSize) {
        if (weights.length != children.size()) {
            throw new IllegalArgumentException("[" + NAME + "] " + children.size() + " retrievers but " + weights.length + " weights");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Float.isInfinite(weights[i])) {
                throw new IllegalArgumentException("[" + NAME + "] [" + WEIGHT_FIELD.getPreferredName() + "] of retriever [" + i
                        + "] must be a finite number >= 0, got [" + weights[i] + "]");
            }
        }
        return new ElmoFusionRetrieverBuilder(sources(children), FusionMethod.LINEAR, Objects.requireNonNull(normalizer, "normalizer"),
                weights.clone(), 0, rankWindowSize);
    }

    /** Reciprocal rank fusion of the children's rankings with {@code k = rankConstant}. */
    public static ElmoFusionRetrieverBuilder rrf(List<RetrieverBuilder> children, int rankConstant, int rankWindowSize) {
        if (rankConstant < 1) {
            throw new IllegalArgumentException("[" + NAME + "] [" + RANK_CONSTANT_FIELD.getPreferredName() + "] must be >= 1, got ["
                    + rankConstant + "]");
        }
        return new ElmoFusionRetrieverBuilder(sources(children), FusionMethod.RRF, null, null, rankConstant, rankWindowSize);
    }

    private static List<RetrieverSource> sources(List<RetrieverBuilder> children) {
        if (children.isEmpty()) {
            throw new IllegalArgumentException("[" + NAME + "] [" + RETRIEVERS_FIELD.getPreferredName() + "] must hold at least one retriever");
        }
        return children.stream().map(RetrieverSource::from).toList();
    }

    private ElmoFusionRetrieverBuilder(List<RetrieverSource> children, FusionMethod method, ScoreNormalization normalizer, float[] weights,
                                       int rankConstant, int rankWindowSize) {
        super(List.copyOf(children), rankWindowSize);
        if (rankWindowSize < 1) {
            throw new IllegalArgumentException("[" + NAME + "] [" + RANK_WINDOW_SIZE_FIELD.getPreferredName() + "] must be >= 1, got ["
                    + rankWindowSize + "]");
        }
        this.method = method;
        this.normalizer = normalizer;
        this.weights = weights;
        this.rankConstant = rankConstant;
    }

    public static ElmoFusionRetrieverBuilder fromXContent(XContentParser parser, RetrieverParserContext context) throws IOException {
        return PARSER.parse(parser, context).build();
    }

    @Override
    public String getName() {
        return NAME;
    }

    /** Children come with their weights when the retriever is built; one added later would have none. */
    @Override
    public ElmoFusionRetrieverBuilder addChild(RetrieverBuilder child) {
        throw new UnsupportedOperationException("[" + NAME + "] takes its retrievers, with their weights, when it is built");
    }

    @Override
    protected ElmoFusionRetrieverBuilder clone(List<RetrieverSource> newChildRetrievers, List<QueryBuilder> newPreFilterQueryBuilders) {
        ElmoFusionRetrieverBuilder clone = new ElmoFusionRetrieverBuilder(newChildRetrievers, method, normalizer, weights, rankConstant,
                rankWindowSize);
        clone.preFilterQueryBuilders = newPreFilterQueryBuilders;
        clone.retrieverName = retrieverName;
        clone.minScore = minScore;
        return clone;
    }

    @Override
    protected SearchSourceBuilder finalizeSourceBuilder(SearchSourceBuilder source) {
        // The children's searches sort by score and then shard document; without track_scores their hits carry no
        // score, which linear fusion needs (rrf reads positions only).
        return method == FusionMethod.LINEAR ? source.trackScores(true) : source;
    }

    /** The fused window, best first, ranked from 1; each child's hits arrive best first, in the order of the children. */
    @Override
    protected RankDoc[] combineInnerRetrieverResults(List<ScoreDoc[]> childHits, boolean explain) {
        List<Scored<RankDoc.RankKey>> fused = switch (method) {
            case LINEAR -> RankFusion.linear(childHits.stream().map(hits -> Arrays.stream(hits)
                    .map(hit -> new Scored<>(key(hit), hit.score)).toList()).toList(), weights, normalizer, rankWindowSize);
            case RRF -> RankFusion.reciprocalRank(childHits.stream().map(hits -> Arrays.stream(hits)
                    .map(ElmoFusionRetrieverBuilder::key).toList()).toList(), rankConstant, rankWindowSize);
        };
        RankDoc[] docs = new RankDoc[fused.size()];
        for (int i = 0; i < docs.length; i++) {
            RankDoc.RankKey key = fused.get(i).key();
            docs[i] = new RankDoc(key.doc(), fused.get(i).score(), key.shardIndex());
            docs[i].rank = i + 1;
        }
        return docs;
    }

    /** A hit's identity across the children's searches, which all run on the same point in time. */
    private static RankDoc.RankKey key(ScoreDoc hit) {
        return new RankDoc.RankKey(hit.doc, hit.shardIndex);
    }

    @Override
    protected void doToXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field(METHOD_FIELD.getPreferredName(), method.jsonName());
        if (method == FusionMethod.LINEAR) {
            builder.field(NORMALIZER_FIELD.getPreferredName(), normalizer.jsonName());
        } else {
            builder.field(RANK_CONSTANT_FIELD.getPreferredName(), rankConstant);
        }
        builder.field(RANK_WINDOW_SIZE_FIELD.getPreferredName(), rankWindowSize);
        builder.startArray(RETRIEVERS_FIELD.getPreferredName());
        for (int i = 0; i < innerRetrievers.size(); i++) {
            builder.startObject();
            builder.field(RETRIEVER_FIELD.getPreferredName(), innerRetrievers.get(i).retriever());
            if (method == FusionMethod.LINEAR) {
                builder.field(WEIGHT_FIELD.getPreferredName(), weights[i]);
            }
            builder.endObject();
        }
        builder.endArray();
    }

    @Override
    public boolean doEquals(Object o) {
        ElmoFusionRetrieverBuilder that = (ElmoFusionRetrieverBuilder) o;
        return super.doEquals(o) && method == that.method && normalizer == that.normalizer && rankConstant == that.rankConstant
                && Arrays.equals(weights, that.weights) && Objects.equals(retrieverName, that.retrieverName);
    }

    @Override
    public int doHashCode() {
        return Objects.hash(super.doHashCode(), method, normalizer, rankConstant, Arrays.hashCode(weights), retrieverName);
    }

    // ---- Parsing: into a Request first, so that defaults and the checks that span options are applied in one place,
    // and an unknown option is answered with the list of allowed ones (ObjectParser alone only suggests a near name).

    /** The request body as given: null where it says nothing. */
    private static final class Request {
        String method;
        String normalizer;
        Integer rankConstant;
        Integer rankWindowSize;
        List<Child> retrievers;
        List<QueryBuilder> filters;
        Float minScore;
        String name;

        ElmoFusionRetrieverBuilder build() {
            FusionMethod fusion = method == null ? FusionMethod.LINEAR : FusionMethod.parse(method);
            if (retrievers == null || retrievers.isEmpty()) {
                throw new IllegalArgumentException("[" + NAME + "] [" + RETRIEVERS_FIELD.getPreferredName()
                        + "] must hold at least one {\"retriever\": {...}}");
            }
            List<RetrieverBuilder> children = new ArrayList<>();
            float[] weights = new float[retrievers.size()];
            for (int i = 0; i < weights.length; i++) {
                Child child = retrievers.get(i);
                if (child.retriever == null) {
                    throw new IllegalArgumentException("[" + NAME + "] entry [" + i + "] of [" + RETRIEVERS_FIELD.getPreferredName()
                            + "] has no [" + RETRIEVER_FIELD.getPreferredName() + "]");
                }
                children.add(child.retriever);
                weights[i] = child.weight == null ? 1f : child.weight;
                onlyFor(FusionMethod.LINEAR, fusion, WEIGHT_FIELD, child.weight);
            }
            onlyFor(FusionMethod.LINEAR, fusion, NORMALIZER_FIELD, normalizer);
            onlyFor(FusionMethod.RRF, fusion, RANK_CONSTANT_FIELD, rankConstant);
            int window = rankWindowSize == null ? DEFAULT_RANK_WINDOW_SIZE : rankWindowSize;
            ElmoFusionRetrieverBuilder built = switch (fusion) {
                case LINEAR -> linear(children, weights, normalizer == null ? DEFAULT_NORMALIZER : normalization(normalizer), window);
                case RRF -> rrf(children, rankConstant == null ? RankFusion.DEFAULT_K : rankConstant, window);
            };
            if (filters != null) {
                built.preFilterQueryBuilders = new ArrayList<>(filters);
            }
            built.retrieverName(name);
            built.minScore(minScore);
            return built;
        }

        private static void onlyFor(FusionMethod owner, FusionMethod requested, ParseField option, Object given) {
            if (given != null && requested != owner) {
                throw new IllegalArgumentException("[" + NAME + "] [" + option.getPreferredName() + "] applies to method ["
                        + owner.jsonName() + "] only, not [" + requested.jsonName() + "]");
            }
        }

        private static ScoreNormalization normalization(String name) {
            try {
                return ScoreNormalization.parse(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[" + NAME + "] [" + NORMALIZER_FIELD.getPreferredName() + "]: " + e.getMessage(), e);
            }
        }
    }

    /** One entry of {@code retrievers}. */
    private static final class Child {
        RetrieverBuilder retriever;
        Float weight;
    }

    private static final String CHILD_WHERE = NAME + "." + RETRIEVERS_FIELD.getPreferredName();
    private static final ObjectParser<Child, RetrieverParserContext> CHILD_PARSER = new ObjectParser<>(CHILD_WHERE,
            ElmoObjectParsers.refuseUnknown(CHILD_WHERE, CHILD_OPTIONS), Child::new);
    private static final ObjectParser<Request, RetrieverParserContext> PARSER = new ObjectParser<>(NAME,
            ElmoObjectParsers.refuseUnknown(NAME, OPTIONS), Request::new);

    static {
        CHILD_PARSER.declareObject((child, retriever) -> child.retriever = retriever, RetrieverBuilder::parseInnerRetrieverBuilder,
                RETRIEVER_FIELD);
        CHILD_PARSER.declareFloat((child, weight) -> child.weight = weight, WEIGHT_FIELD);

        PARSER.declareString((r, v) -> r.method = v, METHOD_FIELD);
        PARSER.declareString((r, v) -> r.normalizer = v, NORMALIZER_FIELD);
        PARSER.declareInt((r, v) -> r.rankConstant = v, RANK_CONSTANT_FIELD);
        PARSER.declareInt((r, v) -> r.rankWindowSize = v, RANK_WINDOW_SIZE_FIELD);
        PARSER.declareObjectArray((r, v) -> r.retrievers = v, CHILD_PARSER, RETRIEVERS_FIELD);
        // The base options of every retriever, as RetrieverBuilder.declareBaseParserFields declares them for a parser
        // that builds the retriever itself.
        PARSER.declareObjectArray((r, v) -> r.filters = v, (p, c) -> AbstractQueryBuilder.parseTopLevelQuery(p, c::trackQueryUsage),
                PRE_FILTER_FIELD);
        PARSER.declareFloat((r, v) -> r.minScore = v, MIN_SCORE_FIELD);
        PARSER.declareString((r, v) -> r.name = v, NAME_FIELD);
    }
}
