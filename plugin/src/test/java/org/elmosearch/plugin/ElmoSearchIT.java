package org.elmosearch.plugin;

import org.apache.lucene.search.Explanation;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.elasticsearch.action.bulk.BulkRequestBuilder;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.SearchType;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.index.query.InnerHitBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.retriever.KnnRetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.search.retriever.StandardRetrieverBuilder;
import org.elasticsearch.search.vectors.KnnSearchBuilder;
import org.elasticsearch.test.ESIntegTestCase;
import org.elasticsearch.core.TimeValue;
import org.elmosearch.analysis.TextTokenizer;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.lucene.ScoreMode;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.node.ModelInfo;
import org.elmosearch.plugin.action.ElmoNodesAction;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;
import org.elmosearch.plugin.action.ModelNodesResponse;
import org.elmosearch.plugin.action.ReloadModelAction;
import org.elmosearch.plugin.search.ElmoFusionRetrieverBuilder;
import org.elmosearch.plugin.search.ElmoQueryVectorBuilder;
import org.elmosearch.plugin.search.ElmoRescorerBuilder;
import org.elmosearch.plugin.search.RescoreMode;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.ScoreNormalization;
import org.junit.BeforeClass;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.elasticsearch.test.hamcrest.ElasticsearchAssertions.assertAcked;
import static org.elasticsearch.test.hamcrest.ElasticsearchAssertions.assertHitCount;
import static org.elasticsearch.test.hamcrest.ElasticsearchAssertions.assertResponse;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * The whole flow on a two-node internal cluster with a tiny random model: pipeline, bulk, knn with the elmo
 * query vector builder, the elmo rescorer, nested passages, failures that stay with their document. A random model
 * still embeds identical texts identically, which is what these tests rely on.
 */
@ESIntegTestCase.ClusterScope(scope = ESIntegTestCase.Scope.SUITE, numDataNodes = 2, numClientNodes = 0, supportsDedicatedMasters = false)
@LuceneTestCase.SuppressFileSystems("ExtrasFS")
public class ElmoSearchIT extends ESIntegTestCase {

    static final String MODEL = "tiny";
    static final int DIMS = 32;
    static final List<String> CORPUS = TestCorpus.SENTENCES;

    private static Path models;

    @BeforeClass
    public static void tinyModel() throws Exception {
        models = createTempDir();
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 11), models.resolve(MODEL));
    }

    @Override
    protected Collection<Class<? extends Plugin>> nodePlugins() {
        return List.of(ElmoPlugin.class);
    }

    @Override
    protected org.elasticsearch.common.settings.Settings nodeSettings(int ordinal, org.elasticsearch.common.settings.Settings other) {
        return org.elasticsearch.common.settings.Settings.builder().put(super.nodeSettings(ordinal, other))
                .put(ElmoPlugin.MODELS_PATH.getKey(), models.toAbsolutePath().toString())
                .put(ElmoPlugin.INFERENCE_THREADS.getKey(), 1)
                .build();
    }

    private void createIndex(String index, int dims) {
        assertAcked(indicesAdmin().prepareCreate(index).setMapping("""
                {"properties": {
                  "body": {"type": "text"},
                  "body_vector": {"type": "dense_vector", "dims": %s, "similarity": "cosine"},
                  "passages": {"type": "nested", "properties": {
                    "text": {"type": "text"}, "offset": {"type": "integer"},
                    "vector": {"type": "dense_vector", "dims": %s, "similarity": "cosine"}}}}}""".formatted(dims, dims)));
    }

    private void pipeline() {
        putJsonPipeline("elmo", """
                {"processors": [{"elmo": {"model_id": "tiny", "field": "body", "target_field": "body_vector",
                  "passages": {"target_field": "passages", "max_tokens": 12, "overlap_tokens": 0}}}]}""");
    }

    private BulkResponse bulk(String index, List<Object> bodies) {
        return bulk(index, "elmo", bodies);
    }

    private BulkResponse bulk(String index, String pipeline, List<Object> bodies) {
        BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
        for (int i = 0; i < bodies.size(); i++) {
            bulk.add(prepareIndex(index).setId(Integer.toString(i)).setPipeline(pipeline).setSource(Map.of("body", bodies.get(i))));
        }
        return bulk.get(TimeValue.timeValueSeconds(60));
    }

    /** Token vectors of the body and of each passage, stored in the given encoding. */
    private void tokenVectorsIndex(String index, int dims, String encoding) {
        tokenVectorsIndex(index, dims, encoding, org.elasticsearch.common.settings.Settings.EMPTY);
    }

    private void tokenVectorsIndex(String index, int dims, String encoding, org.elasticsearch.common.settings.Settings settings) {
        putJsonPipeline("elmo-tokens", """
                {"processors": [{"elmo": {"model_id": "tiny", "field": "body", "target_field": "body_vector",
                  "token_vectors_field": "body_tokens",
                  "passages": {"target_field": "passages", "max_tokens": 12, "overlap_tokens": 0, "token_vectors_field": "tokens"}}}]}""");
        assertAcked(indicesAdmin().prepareCreate(index).setSettings(settings).setMapping("""
                {"properties": {
                  "body": {"type": "text"},
                  "body_vector": {"type": "dense_vector", "dims": %s, "similarity": "cosine"},
                  "body_tokens": {"type": "elmo_token_vectors", "dims": %s, "encoding": "%s"},
                  "passages": {"type": "nested", "properties": {
                    "text": {"type": "text"}, "offset": {"type": "integer"},
                    "vector": {"type": "dense_vector", "dims": %s, "similarity": "cosine"},
                    "tokens": {"type": "elmo_token_vectors", "dims": %s, "encoding": "%s"}}}}}"""
                .formatted(DIMS, dims, encoding, DIMS, dims, encoding)));
    }

    private static ElmoRescorerBuilder maxSim(String text, String field, ScoreCombination combination) {
        return new ElmoRescorerBuilder(MODEL, text, field, RescoreMode.MAXSIM, EmbeddingSpec.NONE, combination);
    }

    /** MaxSim of a text with itself: one best cosine of 1 per query token, a little less for int8's rounding. */
    private static float selfMaxSim(String text) {
        return TextTokenizer.standard().tokenize(text).size();
    }

    private static KnnSearchBuilder knn(String field, String text, int k) {
        return new KnnSearchBuilder(field, new ElmoQueryVectorBuilder(MODEL, text, EmbeddingSpec.NONE), k, 50, null, null, null);
    }

    public void testKnnWithTheElmoBuilderFindsTheDocumentWithTheSameText() {
        pipeline();
        createIndex("docs", DIMS);
        BulkResponse response = bulk("docs", new ArrayList<>(CORPUS));
        assertFalse(response.buildFailureMessage(), response.hasFailures());
        for (int i : new int[] {1, 4, 7}) {
            assertResponse(prepareSearch("docs").setKnnSearch(List.of(knn("body_vector", CORPUS.get(i), 3))), r -> {
                assertEquals(Integer.toString(i), r.getHits().getAt(0).getId());
                assertEquals(1.0f, r.getHits().getAt(0).getScore(), 1e-4f);
            });
        }
    }

    public void testTheRescorerLiftsTheMatchingDocumentToTheTopOfABm25Result() {
        pipeline();
        createIndex("rescore", DIMS);
        String target = CORPUS.get(2);
        List<Object> bodies = List.of("the the the the the", "the sea the sea the sea", target, "the end of the the story");
        assertFalse(bulk("rescore", bodies).hasFailures());
        assertResponse(prepareSearch("rescore").setQuery(QueryBuilders.matchQuery("body", "the")), r ->
                assertNotEquals("BM25 alone does not rank the target first", "2", r.getHits().getAt(0).getId()));
        // A random model puts all texts close together, so the similarity alone (replace) must decide.
        ElmoRescorerBuilder rescorer = new ElmoRescorerBuilder(MODEL, target, "body_vector", RescoreMode.COSINE, EmbeddingSpec.NONE,
                ScoreCombination.REPLACE);
        assertResponse(prepareSearch("rescore").setQuery(QueryBuilders.matchQuery("body", "the")).addRescorer(rescorer, 10), r -> {
            assertEquals(4, r.getHits().getHits().length);
            assertEquals("2", r.getHits().getAt(0).getId());
        });
    }

    public void testMaxSimRescoreLiftsTheDocumentWithTheQuerysTextToTheTopWithMaxSimEqualToItsTokenCount() {
        String encoding = randomFrom("float32", "int8");
        tokenVectorsIndex("maxsim", DIMS, encoding);
        String target = CORPUS.get(2);
        List<Object> bodies = List.of("the the the the the", "the sea the sea the sea", target, "the end of the the story");
        BulkResponse response = bulk("maxsim", "elmo-tokens", bodies);
        assertFalse(response.buildFailureMessage(), response.hasFailures());
        assertResponse(prepareSearch("maxsim").setQuery(QueryBuilders.matchQuery("body", "the")), r ->
                assertNotEquals("BM25 alone does not rank the target first", "2", r.getHits().getAt(0).getId()));
        float weight = randomFloatBetween(0.5f, 2f, true);
        float tolerance = encoding.equals("int8") ? 0.01f * selfMaxSim(target) : 1e-4f * selfMaxSim(target);
        assertResponse(prepareSearch("maxsim").setQuery(QueryBuilders.matchQuery("body", "the"))
                .addRescorer(maxSim(target, "body_tokens", new ScoreCombination(ScoreMode.REPLACE, randomFloat(), weight)), 10), r -> {
            assertEquals(4, r.getHits().getHits().length);
            assertEquals("2", r.getHits().getAt(0).getId());
            assertEquals(weight * selfMaxSim(target), r.getHits().getAt(0).getScore(), weight * tolerance);
            assertThat(r.getHits().getAt(1).getScore(), lessThan(r.getHits().getAt(0).getScore()));
        });
        // total, the default: the hit's first-pass (BM25) score plus its MaxSim, as its explanation shows. Read from one
        // response: two searches may score BM25 on different shard copies.
        assertResponse(prepareSearch("maxsim").setQuery(QueryBuilders.matchQuery("body", "the")).setExplain(true)
                .addRescorer(maxSim(target, "body_tokens", ScoreCombination.DEFAULT), 10), r -> {
            SearchHit rescored = hit(r, "2");
            Explanation explanation = rescored.getExplanation();
            assertThat(explanation.toString(), containsString("MaxSim of field [body_tokens]"));
            assertEquals(rescored.getScore(), explanation.getValue().floatValue(), 1e-5f);
            float firstPass = explanation.getDetails()[0].getValue().floatValue();
            assertThat(firstPass, greaterThan(0f));
            assertEquals(selfMaxSim(target), explanation.getDetails()[1].getValue().floatValue(), tolerance);
            assertEquals(firstPass + selfMaxSim(target), rescored.getScore(), tolerance);
        });
    }

    /** A BM25 child retriever: any term may match. */
    private static RetrieverBuilder bm25(String text) {
        return new StandardRetrieverBuilder(QueryBuilders.matchQuery("body", text));
    }

    /** A knn child retriever whose query vector the elmo builder makes from the text. */
    private static RetrieverBuilder knnRetriever(String text, int k) {
        return new KnnRetrieverBuilder("body_vector", (float[]) null, new ElmoQueryVectorBuilder(MODEL, text, EmbeddingSpec.NONE), k, 50, null, null,
                null);
    }

    /**
     * A retriever's own hits, searched alone: ids best first and their scores. Query then fetch, as the fusion runs
     * its children (the test client may pick DFS, whose index-wide statistics change BM25 scores).
     */
    private Map<String, Float> ownHits(String index, RetrieverBuilder retriever, int size) {
        Map<String, Float> hits = new LinkedHashMap<>();
        assertResponse(prepareSearch(index).setSearchType(SearchType.QUERY_THEN_FETCH)
                .setSource(new SearchSourceBuilder().retriever(retriever).size(size)), r -> {
            for (SearchHit hit : r.getHits().getHits()) {
                hits.put(hit.getId(), hit.getScore());
            }
        });
        return hits;
    }

    /**
     * Linear fusion as docs/plugin.md states it, computed here apart from the plugin: each child's scores as z-scores
     * within its window, a document missing from a child's window given that child's lowest z-score, weighted sum.
     */
    private static Map<String, Double> expectedLinearZscore(List<Map<String, Float>> children, double[] weights) {
        Map<String, Double> fused = new HashMap<>();
        children.forEach(child -> child.keySet().forEach(id -> fused.put(id, 0.0)));
        for (int c = 0; c < children.size(); c++) {
            Map<String, Float> child = children.get(c);
            double mean = child.values().stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double deviation = Math.sqrt(child.values().stream().mapToDouble(s -> (s - mean) * (s - mean)).average().orElseThrow());
            double lowest = child.values().stream().mapToDouble(s -> (s - mean) / deviation).min().orElseThrow();
            for (Map.Entry<String, Double> doc : fused.entrySet()) {
                Float score = child.get(doc.getKey());
                doc.setValue(doc.getValue() + weights[c] * (score == null ? lowest : (score - mean) / deviation));
            }
        }
        return fused;
    }

    /** Reciprocal rank fusion computed here: the sum over children of 1 / (k + rank), rank from 1. */
    private static Map<String, Double> expectedRrf(List<Map<String, Float>> children, int k) {
        Map<String, Double> fused = new HashMap<>();
        for (Map<String, Float> child : children) {
            int rank = 0;
            for (String id : child.keySet()) {
                fused.merge(id, 1.0 / (k + ++rank), Double::sum);
            }
        }
        return fused;
    }

    /**
     * The response holds the expected best documents, best first (equal expected scores in either order, and either
     * of them at the cut), and its scores differ from one another as the expected ones do (linear fusion shifts them
     * all by one constant).
     */
    private static void assertFusedAs(SearchResponse response, Map<String, Double> expected, int size) {
        List<Double> best = expected.values().stream().sorted(Comparator.reverseOrder()).limit(size).toList();
        SearchHit[] hits = response.getHits().getHits();
        assertEquals(best.size(), hits.length);
        for (int i = 0; i < hits.length; i++) {
            double score = expected.get(hits[i].getId());
            assertThat("hit " + i + " is among the best", score, greaterThanOrEqualTo(best.getLast() - 1e-6));
            assertEquals("hit " + i, score - expected.get(hits[0].getId()), hits[i].getScore() - hits[0].getScore(), 1e-4);
            if (i > 0) {
                assertThat("hit " + i + " is in order", score, lessThanOrEqualTo(expected.get(hits[i - 1].getId()) + 1e-6));
            }
        }
    }

    public void testElmoFusionMergesBm25AndKnnWithTheElmoBuilderLinearlyAndByRank() {
        pipeline();
        assertAcked(indicesAdmin().prepareCreate("fusion")
                // The children searched alone must score as in the fusion: no replica, so BM25 runs on the same shard
                // copies; flat float vectors, so knn scores are exact (a quantized index's scores depend on its
                // segments, which may merge between the searches).
                .setSettings(indexSettings(2, 0))
                .setMapping("""
                        {"properties": {"body": {"type": "text"},
                          "body_vector": {"type": "dense_vector", "dims": %s, "similarity": "cosine", "index_options": {"type": "flat"}}}}"""
                        .formatted(DIMS)));
        List<Object> bodies = new ArrayList<>(CORPUS);
        bodies.addAll(List.of("the sea the sea the sea", "the end of the story", "a sea of stars over the valley"));
        BulkResponse response = bulk("fusion", bodies);
        assertFalse(response.buildFailureMessage(), response.hasFailures());
        // Words of four documents only, so that BM25's window holds all its matches and no tie at its cut makes the
        // children's own searches and the fusion's keep different documents.
        String keywords = "sea valley stars";
        String question = CORPUS.get(6);
        int window = 8;
        List<Map<String, Float>> children = List.of(ownHits("fusion", bm25(keywords), window),
                ownHits("fusion", knnRetriever(question, window), window));
        assertEquals("the knn child finds the question's own text first", "6", children.get(1).keySet().iterator().next());

        Map<String, Double> linear = expectedLinearZscore(children, new double[] {0.7, 0.3});
        Map<String, Double> rrf = expectedRrf(children, 60);
        for (Map<String, Double> expected : List.of(linear, rrf)) {
            List<String> fusedOrder = expected.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .map(Map.Entry::getKey).limit(window).toList();
            for (Map<String, Float> child : children) {
                assertNotEquals("the fusion must change each child's order", List.copyOf(child.keySet()), fusedOrder);
            }
        }

        ElmoFusionRetrieverBuilder linearFusion = ElmoFusionRetrieverBuilder.linear(List.of(bm25(keywords), knnRetriever(question, window)),
                new float[] {0.7f, 0.3f}, ScoreNormalization.Z_SCORE, window);
        List<SearchHit> linearHits = new ArrayList<>();
        assertResponse(prepareSearch("fusion").setSource(new SearchSourceBuilder().retriever(linearFusion).size(window)), r -> {
            assertFusedAs(r, linear, window);
            linearHits.addAll(List.of(r.getHits().getHits()));
        });
        // filter reaches every child: the best document is gone; min_score applies to the fused score.
        String best = linearHits.get(0).getId();
        ElmoFusionRetrieverBuilder filtered = ElmoFusionRetrieverBuilder.linear(List.of(bm25(keywords), knnRetriever(question, window)),
                new float[] {0.7f, 0.3f}, ScoreNormalization.Z_SCORE, window);
        filtered.getPreFilterQueryBuilders().add(QueryBuilders.boolQuery().mustNot(QueryBuilders.idsQuery().addIds(best)));
        assertResponse(prepareSearch("fusion").setSource(new SearchSourceBuilder().retriever(filtered).size(window)), r -> {
            assertThat(r.getHits().getHits().length, greaterThan(0));
            assertTrue(List.of(r.getHits().getHits()).stream().noneMatch(hit -> hit.getId().equals(best)));
        });
        float threshold = (linearHits.get(1).getScore() + linearHits.get(2).getScore()) / 2;
        RetrieverBuilder aboveThreshold = ElmoFusionRetrieverBuilder.linear(List.of(bm25(keywords), knnRetriever(question, window)),
                new float[] {0.7f, 0.3f}, ScoreNormalization.Z_SCORE, window).minScore(threshold);
        assertResponse(prepareSearch("fusion").setSource(new SearchSourceBuilder().retriever(aboveThreshold).size(window)), r ->
                assertEquals(List.of(linearHits.get(0).getId(), linearHits.get(1).getId()),
                        List.of(r.getHits().getHits()).stream().map(SearchHit::getId).toList()));
        ElmoFusionRetrieverBuilder rrfFusion = ElmoFusionRetrieverBuilder.rrf(List.of(bm25(keywords), knnRetriever(question, window)),
                60, window);
        assertResponse(prepareSearch("fusion").setSource(new SearchSourceBuilder().retriever(rrfFusion).size(window).explain(true)), r -> {
            assertFusedAs(r, rrf, window);
            SearchHit first = r.getHits().getAt(0);
            assertEquals(rrf.get(first.getId()), first.getScore(), 1e-6);
            // Elasticsearch's generic explanation of a ranked hit: its rank, over the explanations of the children.
            assertEquals(1, first.getExplanation().getValue().intValue());
            assertThat(first.getExplanation().getDetails().length, greaterThan(0));
        });
    }

    private static SearchHit hit(SearchResponse response, String id) {
        for (SearchHit hit : response.getHits().getHits()) {
            if (hit.getId().equals(id)) {
                return hit;
            }
        }
        throw new AssertionError("no hit " + id);
    }

    @SuppressWarnings("unchecked")
    public void testMaxSimOnNestedPassagesScoresEachDocumentByItsBestPassage() {
        tokenVectorsIndex("passage-tokens", DIMS, "float32");
        String article = "Mount Everest is the highest mountain on Earth. It stands in the Himalayas. "
                + "The first confirmed ascent was in 1953. Climbers use bottled oxygen near the summit.";
        List<Object> bodies = List.of(CORPUS.get(5), article, CORPUS.get(0));
        assertFalse(bulk("passage-tokens", "elmo-tokens", bodies).hasFailures());
        assertResponse(prepareSearch("passage-tokens").setQuery(QueryBuilders.idsQuery().addIds("1")), r -> {
            List<Map<String, Object>> passages = (List<Map<String, Object>>) r.getHits().getAt(0).getSourceAsMap().get("passages");
            assertThat(passages.size(), greaterThan(1));
            for (Map<String, Object> passage : passages) {
                List<List<Number>> tokens = (List<List<Number>>) passage.get("tokens");
                assertEquals(selfMaxSim((String) passage.get("text")), tokens.size(), 0f);
                assertEquals(DIMS, tokens.get(0).size());
            }
        });
        String answer = "The first confirmed ascent was in 1953.";
        assertResponse(prepareSearch("passage-tokens").setQuery(QueryBuilders.matchAllQuery())
                .addRescorer(maxSim(answer, "passages.tokens", ScoreCombination.REPLACE), 10), r -> {
            assertEquals(3, r.getHits().getHits().length);
            assertEquals("1", r.getHits().getAt(0).getId());
            assertEquals(selfMaxSim(answer), r.getHits().getAt(0).getScore(), 1e-3f);
        });
    }

    /**
     * Fusion in every mode and field kind, on one shard (each shard normalizes its own window): the ELMo weight alone
     * ranks the document with the query's text first at min-max 1, the first-pass weight alone keeps BM25's order,
     * and hits past the window stay below it in first-pass order.
     */
    public void testFusionRanksTheWindowByNormalizedScoresInEveryMode() {
        tokenVectorsIndex("fusion", DIMS, "float32", indexSettings(1, 0).build());
        String target = CORPUS.get(2);
        List<Object> bodies = List.of("the the the the the", "the sea the sea the sea", target, "the end of the the story");
        BulkResponse response = bulk("fusion", "elmo-tokens", bodies);
        assertFalse(response.buildFailureMessage(), response.hasFailures());
        List<String> bm25 = new ArrayList<>();
        assertResponse(prepareSearch("fusion").setQuery(QueryBuilders.matchQuery("body", "the")),
                r -> Arrays.stream(r.getHits().getHits()).map(SearchHit::getId).forEach(bm25::add));
        assertEquals(4, bm25.size());
        assertNotEquals("BM25 alone does not rank the target first", "2", bm25.get(0));
        Map<String, RescoreMode> fields = Map.of("body_vector", RescoreMode.COSINE, "body_tokens", RescoreMode.MAXSIM,
                "passages.vector", RescoreMode.COSINE, "passages.tokens", RescoreMode.MAXSIM);
        fields.forEach((field, mode) -> {
            ElmoRescorerBuilder elmoOnly = new ElmoRescorerBuilder(MODEL, target, field, mode, EmbeddingSpec.NONE,
                    new ScoreFusion(ScoreNormalization.MIN_MAX, 0f, 1f), null);
            assertResponse(prepareSearch("fusion").setQuery(QueryBuilders.matchQuery("body", "the")).setExplain(true)
                    .addRescorer(elmoOnly, 10), r -> {
                assertEquals(field, "2", r.getHits().getAt(0).getId());
                assertEquals(field, 1f, r.getHits().getAt(0).getScore(), 1e-6f);
                assertEquals(field, 0f, r.getHits().getAt(3).getScore(), 1e-6f);
                assertThat(r.getHits().getAt(0).getExplanation().toString(), containsString("fused within the rescored window"));
            });
            ElmoRescorerBuilder firstPassOnly = new ElmoRescorerBuilder(MODEL, target, field, mode, EmbeddingSpec.NONE,
                    new ScoreFusion(ScoreNormalization.Z_SCORE, 1f, 0f), null);
            assertResponse(prepareSearch("fusion").setQuery(QueryBuilders.matchQuery("body", "the")).addRescorer(firstPassOnly, 10),
                    r -> assertEquals(field, bm25, Arrays.stream(r.getHits().getHits()).map(SearchHit::getId).toList()));
        });
        // A window of BM25's first two: the target, third in BM25, cannot enter it; the rest follow in BM25's order.
        int targetRank = bm25.indexOf("2");
        assumeTrue("the target is outside BM25's top two", targetRank >= 2);
        ElmoRescorerBuilder narrow = new ElmoRescorerBuilder(MODEL, target, "body_tokens", RescoreMode.MAXSIM, EmbeddingSpec.NONE,
                new ScoreFusion(ScoreNormalization.MIN_MAX, 0f, 1f), null);
        assertResponse(prepareSearch("fusion").setQuery(QueryBuilders.matchQuery("body", "the")).setExplain(true).addRescorer(narrow, 2), r -> {
            List<String> ids = Arrays.stream(r.getHits().getHits()).map(SearchHit::getId).toList();
            assertEquals(java.util.Set.copyOf(bm25.subList(0, 2)), java.util.Set.copyOf(ids.subList(0, 2)));
            assertEquals(bm25.subList(2, 4), ids.subList(2, 4));
            assertThat(r.getHits().getAt(2).getScore(), lessThan(r.getHits().getAt(1).getScore()));
            assertThat(r.getHits().getAt(3).getScore(), lessThan(r.getHits().getAt(2).getScore()));
            assertThat(r.getHits().getAt(3).getExplanation().toString(), containsString("past the rescored window"));
        });
        // An index of the search without the field: its hits have no ELMo score and keep their first-pass order.
        assertAcked(indicesAdmin().prepareCreate("fusion-plain").setSettings(indexSettings(1, 0)).setMapping("""
                {"properties": {"body": {"type": "text"}}}"""));
        prepareIndex("fusion-plain").setId("plain").setSource(Map.of("body", "the sea")).setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();
        assertResponse(prepareSearch("fusion", "fusion-plain").setQuery(QueryBuilders.matchQuery("body", "the")).addRescorer(narrow, 10),
                r -> assertEquals(5, r.getHits().getHits().length));
    }

    public void testIdfWeightsOfAModelWithoutTokenStatisticsAreRefusedNamingTheModelAndElmoFit() {
        tokenVectorsIndex("no-statistics", DIMS, "float32");
        assertFalse(bulk("no-statistics", "elmo-tokens", List.of(CORPUS.get(0))).hasFailures());
        Exception e = expectThrows(Exception.class, () -> prepareSearch("no-statistics").setQuery(QueryBuilders.matchAllQuery())
                .addRescorer(new ElmoRescorerBuilder(MODEL, "cats", "body_tokens", RescoreMode.MAXSIM, EmbeddingSpec.NONE, ScoreFusion.DEFAULT,
                        true), 10).get());
        assertEquals(org.elasticsearch.rest.RestStatus.BAD_REQUEST, org.elasticsearch.ExceptionsHelper.status(e));
        assertThat(detailed(e), containsString("[idf] needs token statistics, but model [tiny] has no token-statistics.json: run `elmo fit`"));
        // Without statistics the default is no IDF weighting: the same rescore without [idf] runs.
        assertResponse(prepareSearch("no-statistics").setQuery(QueryBuilders.matchAllQuery())
                .addRescorer(new ElmoRescorerBuilder(MODEL, "cats", "body_tokens", RescoreMode.MAXSIM, EmbeddingSpec.NONE, ScoreFusion.DEFAULT,
                        null), 10), r -> assertEquals(1, r.getHits().getHits().length));
    }

    public void testTokenVectorsOfTheWrongDimsOrTypeAreNamed() {
        tokenVectorsIndex("tokens-wide", 64, "float32");
        BulkResponse response = bulk("tokens-wide", "elmo-tokens", List.of(CORPUS.get(0)));
        assertTrue(response.hasFailures());
        assertThat(response.getItems()[0].getFailureMessage(), containsString("field [body_tokens] has dims [64] but token vector [0] has [32]"));
        Exception e = expectThrows(Exception.class, () -> prepareSearch("tokens-wide").setQuery(QueryBuilders.matchAllQuery())
                .addRescorer(maxSim("text", "body_tokens", ScoreCombination.DEFAULT), 10).get());
        assertThat(detailed(e), containsString("model [tiny] makes 32-dimensional token vectors but field [body_tokens] of type "
                + "[elmo_token_vectors] has dims [64]"));
        e = expectThrows(Exception.class, () -> prepareSearch("tokens-wide").setQuery(QueryBuilders.matchAllQuery())
                .addRescorer(maxSim("text", "body_vector", ScoreCombination.DEFAULT), 10).get());
        assertThat(detailed(e), containsString("field [body_vector] is of type [dense_vector]; mode [maxsim] needs an [elmo_token_vectors]"));
    }

    /**
     * Measures what a token costs on disk, through Elasticsearch's disk-usage analysis of a merged index: the doc
     * values of D = 256 (ELMo small) in each encoding, per stored token.
     */
    @SuppressWarnings("unchecked")
    public void testStoragePerTokenIsTheEncodingsPayload() throws Exception {
        int dims = 256;
        int docs = 20;
        int tokensPerDoc = 100;
        for (String encoding : List.of("float32", "int8")) {
            String index = "storage-" + encoding;
            assertAcked(indicesAdmin().prepareCreate(index).setSettings(indexSettings(1, 0)).setMapping("""
                    {"properties": {"t": {"type": "elmo_token_vectors", "dims": %s, "encoding": "%s"}}}""".formatted(dims, encoding)));
            BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
            for (int d = 0; d < docs; d++) {
                float[][] tokens = new float[tokensPerDoc][dims];
                for (float[] token : tokens) {
                    for (int i = 0; i < dims; i++) {
                        token[i] = (float) random().nextGaussian();
                    }
                }
                bulk.add(prepareIndex(index).setSource(Map.of("t", tokens)));
            }
            assertFalse(bulk.get().hasFailures());
            indicesAdmin().prepareForceMerge(index).setMaxNumSegments(1).get();
            var usage = client().execute(org.elasticsearch.action.admin.indices.diskusage.TransportAnalyzeIndexDiskUsageAction.TYPE,
                    new org.elasticsearch.action.admin.indices.diskusage.AnalyzeIndexDiskUsageRequest(new String[] {index},
                            org.elasticsearch.action.admin.indices.diskusage.AnalyzeIndexDiskUsageRequest.DEFAULT_INDICES_OPTIONS, true))
                    .get(30, TimeUnit.SECONDS);
            Map<String, Object> stats = org.elasticsearch.common.xcontent.XContentHelper.convertToMap(
                    org.elasticsearch.xcontent.json.JsonXContent.jsonXContent, org.elasticsearch.common.Strings.toString(usage), false);
            Map<String, Object> field = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) stats.get(index)).get("fields")).get("t");
            double perToken = ((Number) field.get("doc_values_in_bytes")).doubleValue() / (docs * tokensPerDoc);
            int payload = org.elmosearch.lucene.TokenVectorEncoding.parse(encoding).bytesPerToken(dims);
            logger.info("elmo_token_vectors storage, dims {}, {}: {} bytes per token on disk (payload {})", dims, encoding, perToken, payload);
            assertThat(perToken, greaterThan((double) payload));
            assertThat(perToken, lessThan(payload * 1.02));
        }
    }

    public void testNestedPassagesReturnThePassageThatAnswers() {
        pipeline();
        createIndex("qa", DIMS);
        String article = "Mount Everest is the highest mountain on Earth. It stands in the Himalayas. "
                + "The first confirmed ascent was in 1953. Climbers use bottled oxygen near the summit.";
        assertFalse(bulk("qa", List.of(article, CORPUS.get(5))).hasFailures());
        String answer = "The first confirmed ascent was in 1953.";
        KnnSearchBuilder knn = knn("passages.vector", answer, 2).innerHit(new InnerHitBuilder().setSize(1));
        assertResponse(prepareSearch("qa").setKnnSearch(List.of(knn)), r -> {
            SearchHit top = r.getHits().getAt(0);
            assertEquals("0", top.getId());
            SearchHit passage = top.getInnerHits().get("passages").getAt(0);
            Map<String, Object> source = passage.getSourceAsMap();
            assertEquals(answer, source.get("text"));
            assertEquals(article.indexOf(answer), source.get("offset"));
        });
    }

    public void testABadDocumentInABulkFailsAlone() {
        pipeline();
        createIndex("mixed", DIMS);
        List<Object> bodies = List.of(CORPUS.get(0), 42, CORPUS.get(1), "", List.of(CORPUS.get(2), CORPUS.get(3)), "Lorem ipsum dolor sit amet. ".repeat(3572));
        BulkResponse response = bulk("mixed", bodies);
        assertThat(response.getItems()[1].getFailureMessage(), containsString("field [body] must hold a string or an array of strings"));
        assertEquals(400, response.getItems()[1].status().getStatus());
        assertThat(response.getItems()[3].getFailureMessage(), containsString("field [body] holds no words to embed"));
        for (int ok : new int[] {0, 2, 4, 5}) {
            assertFalse(response.getItems()[ok].getFailureMessage(), response.getItems()[ok].isFailed());
        }
        assertHitCount(prepareSearch("mixed").setSize(0), 4);
    }

    public void testConcurrentBulksLoseNoDocument() throws Exception {
        pipeline();
        createIndex("load", DIMS);
        int clients = 4;
        int perClient = 25;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(new Thread(() -> {
                try {
                    BulkRequestBuilder bulk = client().prepareBulk();
                    for (int i = 0; i < perClient; i++) {
                        bulk.add(prepareIndex("load").setId(client + "-" + i).setPipeline("elmo")
                                .setSource(Map.of("body", CORPUS.get(i % CORPUS.size()) + " Client " + client + ", item " + i + ".")));
                    }
                    BulkResponse response = bulk.get(TimeValue.timeValueSeconds(60));
                    if (response.hasFailures()) {
                        failures.add(new AssertionError(response.buildFailureMessage()));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(List.of(), failures);
        indicesAdmin().prepareRefresh("load").get();
        assertHitCount(prepareSearch("load").setSize(0), clients * perClient);
    }

    public void testAMappingWithOtherDimsFailsNamingBoth() {
        pipeline();
        createIndex("wide", 64);
        BulkResponse response = bulk("wide", List.of(CORPUS.get(0)));
        assertTrue(response.hasFailures());
        assertThat(response.getItems()[0].getFailureMessage(), containsString("[32]"));
        assertThat(response.getItems()[0].getFailureMessage(), containsString("[64]"));
        Exception e = expectThrows(Exception.class, () -> prepareSearch("wide").setQuery(QueryBuilders.matchAllQuery())
                .addRescorer(new ElmoRescorerBuilder(MODEL, "text", "body_vector", RescoreMode.COSINE, EmbeddingSpec.NONE,
                        ScoreCombination.DEFAULT), 10)
                .get());
        assertThat(org.elasticsearch.ExceptionsHelper.unwrapCause(e).toString() + detailed(e), containsString("model [tiny] makes 32-dimensional"));
    }

    private static String detailed(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(' ').append(t.getMessage());
            for (Throwable s : t.getSuppressed()) {
                out.append(' ').append(detailed(s));
            }
            if (t instanceof org.elasticsearch.action.search.SearchPhaseExecutionException spe) {
                for (var f : spe.shardFailures()) {
                    out.append(' ').append(f.reason());
                }
            }
        }
        return out.toString();
    }

    public void testEveryNodeReportsItsModelsAndStats() throws Exception {
        pipeline();
        createIndex("stats", DIMS);
        assertFalse(bulk("stats", List.of(CORPUS.get(0), CORPUS.get(1))).hasFailures());
        assertBusy(() -> {
            ElmoNodesAction.Response response = client().execute(ElmoNodesAction.TYPE, new ElmoNodesAction.Request())
                    .actionGet(30, TimeUnit.SECONDS);
            assertEquals(2, response.getNodes().size());
            long texts = 0;
            long tokenLookups = 0;
            for (ElmoNodesAction.NodeResponse node : response.getNodes()) {
                // Other tests may add models of their own to the shared models directory.
                ModelInfo model = node.models().stream().filter(m -> m.id().equals(MODEL)).findFirst().orElseThrow();
                assertEquals(new ModelInfo(MODEL, ModelInfo.State.LOADED, DIMS, 3, model.parameterCount(), "float32", null, null, model.memory()), model);
                assertThat(model.memory().nativeBytes(), greaterThan(0L));
                assertThat(node.memory().nativeBytes(), greaterThanOrEqualTo(model.memory().nativeBytes()));
                assertEquals(ElmoPlugin.MAX_MODEL_MEMORY.get(org.elasticsearch.common.settings.Settings.EMPTY).getBytes(), node.memory().maxBytes());
                var stats = node.stats().get(MODEL);
                texts += stats == null ? 0 : stats.texts();
                tokenLookups += stats == null ? 0 : stats.tokenCache().hits() + stats.tokenCache().misses();
            }
            assertThat(texts, greaterThan(0L));
            // The encoder looks each distinct token of a batch up in its token-vector cache (counted in analysis' tests).
            assertThat(tokenLookups, greaterThan(0L));
        });
    }

    public void testReloadPutsChangedModelFilesInServiceOnEveryNodeAndABrokenReloadKeepsTheOldModel() throws Exception {
        String id = "reloadable";
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 5), models.resolve(id));
        ModelNodesResponse first = client().execute(ReloadModelAction.TYPE, new ReloadModelAction.Request(id))
                .actionGet(60, TimeUnit.SECONDS);
        assertFalse(first.failures().toString(), first.hasFailures());
        assertEquals(2, first.getNodes().size());
        for (ModelNodesResponse.NodeResponse node : first.getNodes()) {
            assertEquals(ModelInfo.State.LOADED, node.model().state());
            assertEquals("float32", node.model().weightPrecision());
        }

        java.nio.file.Files.writeString(models.resolve(id).resolve("settings.json"), "{\"weight_precision\": \"int8\"}");
        ModelNodesResponse second = client().execute(ReloadModelAction.TYPE, new ReloadModelAction.Request(id))
                .actionGet(60, TimeUnit.SECONDS);
        assertEquals(2, second.getNodes().size());
        second.getNodes().forEach(node -> assertEquals("int8", node.model().weightPrecision()));
        EmbedRequest embed = new EmbedRequest(id, List.of(CORPUS.get(0)), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED);
        assertEquals(DIMS, client().execute(EmbedAction.TYPE, embed).actionGet(30, TimeUnit.SECONDS).dims());

        java.nio.file.Files.writeString(models.resolve(id).resolve("settings.json"), "{\"weight_precision\": \"fp16\"}");
        ModelNodesResponse broken = client().execute(ReloadModelAction.TYPE, new ReloadModelAction.Request(id))
                .actionGet(60, TimeUnit.SECONDS);
        assertEquals(0, broken.getNodes().size());
        assertEquals(2, broken.failures().size());
        assertThat(detailed(broken.failures().get(0)), containsString("unknown weight precision [fp16]"));
        assertThat(detailed(broken.failures().get(0)), containsString("the model loaded before stays in service"));
        assertEquals(DIMS, client().execute(EmbedAction.TYPE, embed).actionGet(30, TimeUnit.SECONDS).dims());
    }

    public void testAModelThatFailedToLoadIsAConflictWithItsLoadErrorOnEveryPath() throws Exception {
        String id = "broken";
        java.nio.file.Files.createDirectories(models.resolve(id));
        java.nio.file.Files.writeString(models.resolve(id).resolve("options.json"), "{not json");
        java.nio.file.Files.writeString(models.resolve(id).resolve("weights.hdf5"), "not hdf5");

        for (EmbedRequest.Output output : List.of(EmbedRequest.Output.POOLED, EmbedRequest.Output.TOKENS)) {
            EmbedRequest embed = new EmbedRequest(id, List.of(CORPUS.get(0)), EmbeddingSpec.NONE, output);
            Exception e = expectThrows(Exception.class, () -> client().execute(EmbedAction.TYPE, embed).actionGet(30, TimeUnit.SECONDS));
            assertConflictNamingTheLoadError(output.name(), e);
        }

        createIndex("conflict", DIMS);
        prepareIndex("conflict").setId("1").setSource(Map.of("body", "the sea")).setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();
        KnnSearchBuilder knn = new KnnSearchBuilder("body_vector", new ElmoQueryVectorBuilder(id, "the sea", EmbeddingSpec.NONE), 1, 10,
                null, null, null);
        assertConflictNamingTheLoadError("knn", expectThrows(Exception.class, () -> prepareSearch("conflict").setKnnSearch(List.of(knn)).get()));
        ElmoRescorerBuilder rescorer = new ElmoRescorerBuilder(id, "the sea", "body_vector", RescoreMode.COSINE, EmbeddingSpec.NONE,
                ScoreCombination.DEFAULT);
        assertConflictNamingTheLoadError("rescore", expectThrows(Exception.class,
                () -> prepareSearch("conflict").setQuery(QueryBuilders.matchAllQuery()).addRescorer(rescorer, 10).get()));

        putJsonPipeline("broken", """
                {"processors": [{"elmo": {"model_id": "broken", "field": "body", "target_field": "body_vector"}}]}""");
        BulkResponse bulk = bulk("conflict", "broken", List.of(CORPUS.get(0)));
        assertEquals(bulk.getItems()[0].getFailureMessage(), 409, bulk.getItems()[0].status().getStatus());
        assertThat(bulk.getItems()[0].getFailureMessage(), containsString("[model_id] [broken] failed to load"));
    }

    /** 409, not 500: a retry cannot help until the model's files are fixed and reloaded. */
    private static void assertConflictNamingTheLoadError(String path, Exception e) {
        assertEquals(path + ": " + detailed(e), org.elasticsearch.rest.RestStatus.CONFLICT, org.elasticsearch.ExceptionsHelper.status(e));
        assertThat(path, detailed(e), containsString("[model_id] [broken] failed to load: "));
        assertThat(path, detailed(e), containsString("options.json: options are not valid JSON"));
    }

    public void testALoadOverTheMemoryBudgetSetWhileTheNodesRunIsRefusedAndTheOtherModelsServe() throws Exception {
        String id = "over-budget";
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 3), models.resolve(id));
        EmbedRequest embedTiny = new EmbedRequest(MODEL, List.of(CORPUS.get(0)), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED);
        assertEquals(DIMS, client().execute(EmbedAction.TYPE, embedTiny).actionGet(30, TimeUnit.SECONDS).dims());
        updateClusterSettings(org.elasticsearch.common.settings.Settings.builder().put(ElmoPlugin.MAX_MODEL_MEMORY.getKey(), "1kb"));
        try {
            EmbedRequest embed = new EmbedRequest(id, List.of(CORPUS.get(0)), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED);
            Exception e = expectThrows(Exception.class, () -> client().execute(EmbedAction.TYPE, embed).actionGet(30, TimeUnit.SECONDS));
            assertEquals(detailed(e), org.elasticsearch.rest.RestStatus.CONFLICT, org.elasticsearch.ExceptionsHelper.status(e));
            assertThat(detailed(e), containsString("[model_id] [over-budget] failed to load: refused: it needs about"));
            assertThat(detailed(e), containsString("of the 1kb that [elmo.models.max_memory] allows"));

            ElmoNodesAction.Response response = client().execute(ElmoNodesAction.TYPE, new ElmoNodesAction.Request())
                    .actionGet(30, TimeUnit.SECONDS);
            List<ModelInfo> refused = response.getNodes().stream().flatMap(n -> n.models().stream())
                    .filter(m -> m.id().equals(id) && m.state() == ModelInfo.State.FAILED).toList();
            assertFalse("the node that tried reports the refusal", refused.isEmpty());
            assertThat(refused.get(0).error(), containsString("refused: it needs about"));
            response.getNodes().forEach(node -> assertEquals(1024, node.memory().maxBytes()));
            assertEquals("models in service stay", DIMS, client().execute(EmbedAction.TYPE, embedTiny).actionGet(30, TimeUnit.SECONDS).dims());
        } finally {
            updateClusterSettings(org.elasticsearch.common.settings.Settings.builder().putNull(ElmoPlugin.MAX_MODEL_MEMORY.getKey()));
        }
        ModelNodesResponse reloaded = client().execute(ReloadModelAction.TYPE, new ReloadModelAction.Request(id))
                .actionGet(60, TimeUnit.SECONDS);
        assertFalse(reloaded.failures().toString(), reloaded.hasFailures());
        reloaded.getNodes().forEach(node -> assertEquals(ModelInfo.State.LOADED, node.model().state()));
    }
}
