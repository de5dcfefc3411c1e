package org.elmosearch.plugin;

import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.elasticsearch.action.bulk.BulkRequestBuilder;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.test.ESIntegTestCase;
import org.elmosearch.SharedData;
import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.eval.BeirDataset;
import org.elmosearch.eval.EvalIndex;
import org.elmosearch.eval.Method;
import org.elmosearch.eval.Retriever;
import org.elmosearch.lucene.TokenVectorEncoding;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.node.ModelInfo;
import org.elmosearch.plugin.action.ElmoNodesAction;
import org.elmosearch.plugin.search.ElmoRescorerBuilder;
import org.elmosearch.plugin.search.RescoreMode;
import org.elmosearch.rank.RankingVectors;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.TokenStatisticsFitter;
import org.junit.AfterClass;
import org.junit.AssumptionViolatedException;
import org.junit.BeforeClass;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.elasticsearch.test.hamcrest.ElasticsearchAssertions.assertAcked;
import static org.elasticsearch.test.hamcrest.ElasticsearchAssertions.assertResponse;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * The plugin ranks as the analysis core does: for the same model (with token statistics fitted on the corpus by the
 * core's {@link TokenStatisticsFitter}, as {@code elmo fit} does), the same SQuAD passages and questions on one
 * shard, a BM25 {@code match} query whose top 100 is re-ranked by the {@code elmo} rescorer with its defaults
 * (MaxSim over the processor's token vectors, IDF weights, window fusion) returns the same top 10 as the evaluation
 * harness's {@link Method#BM25_MAXSIM_FUSION}, for at least 50 of 60 questions; the others may differ only by the
 * order of hits whose scores are tied to float noise ({@link #onlyNearTiesDiffer}). The model is a tiny random one,
 * so rankings are not semantic; what matters is that both sides agree.
 */
@ESIntegTestCase.ClusterScope(scope = ESIntegTestCase.Scope.SUITE, numDataNodes = 1, numClientNodes = 0, supportsDedicatedMasters = false)
@LuceneTestCase.SuppressFileSystems("ExtrasFS")
public class ElmoRankingParityIT extends ESIntegTestCase {

    private static final String MODEL = "squad-tiny";
    private static final String INDEX = "squad";
    /** Questions compared: enough that 50 agreeing is a meaningful bar. */
    private static final int QUESTIONS = 60;
    /** BM25 hits re-ranked, as the evaluation harness re-ranks them. */
    private static final int WINDOW = Retriever.DEPTH;
    /** Token vectors the statistics' mean and whitening are fitted on: a sample, as {@code elmo fit} takes. */
    private static final long SAMPLE_TOKENS = 50_000;
    private static final int TOP = 10;
    /**
     * Shrinkage of the fitted covariance. The model's outputs move in the 8th digit with the batch a text is embedded
     * in, and whitening a tiny model's vectors with none amplifies that to about 1e-5, which reorders a near tie now
     * and then (fused scores 0.0051 apart were seen swapped). Some shrinkage bounds the amplification; the test
     * compares plugin and core on the same statistics, whatever they are.
     */
    private static final double SHRINKAGE = 0.05;
    /**
     * Fused scores this close count as tied (see {@link #onlyNearTiesDiffer}): z-scores, of order 1, where token
     * vectors off by 1e-6 to 1e-5 move a MaxSim of some ten IDF-weighted cosines by up to about 5e-4.
     */
    private static final float NEAR_TIE = 1e-2f;
    /** Hits past the top 10 fetched, where a hit tied with the 10th may have landed. */
    private static final int NEAR_TIE_REACH = 5;

    private static Path models;
    private static BeirDataset squad;
    /** Per question, in order, the core's top 10 passage ids. */
    private static List<List<String>> coreTopTen;
    /** Questions whose top 10 the core's re-ranking changed from BM25's: the comparison must not be BM25's alone. */
    private static int reordered;

    @BeforeClass
    public static void fitTheModelAndRankWithTheCore() throws Exception {
        squad = BeirDataset.load(SharedData.require("datasets/squad-v1.1-dev", AssumptionViolatedException::new)).withFirstQueries(QUESTIONS);
        models = createTempDir();
        Path dir = models.resolve(MODEL);
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 11), dir);
        ElmoModel model = ModelDirectory.load(dir, null).model();
        try (ElmoEncoder encoder = new ElmoEncoder(model, 1)) {
            ElmoEmbedder embedder = new ElmoEmbedder(encoder);
            List<String> bodies = squad.corpus().stream().map(BeirDataset.Passage::body).toList();
            // What `elmo fit` writes into the model folder, which the node then loads.
            TokenStatistics statistics = TokenStatisticsFitter.fit(embedder, ScalarMix.average(model.options().outputLayers()),
                    bodies::stream, SAMPLE_TOKENS, SHRINKAGE, "squad-v1.1-dev", progress -> {});
            statistics.write(dir.resolve(TokenStatistics.FILE_NAME));
            try (EvalIndex index = EvalIndex.build(squad.corpus(), embedder, RankingVectors.defaults(statistics), false, true,
                    TokenVectorEncoding.FLOAT32, progress -> {})) {
                Retriever retriever = new Retriever(index);
                coreTopTen = new ArrayList<>();
                for (BeirDataset.Query question : squad.queries()) {
                    List<String> fused = top(retriever.search(Method.BM25_MAXSIM_FUSION, question.text()).passageIds());
                    coreTopTen.add(fused);
                    reordered += fused.equals(top(retriever.search(Method.BM25, question.text()).passageIds())) ? 0 : 1;
                }
            }
        }
    }

    private static List<String> top(List<String> ranking) {
        return ranking.subList(0, Math.min(TOP, ranking.size()));
    }

    @AfterClass
    public static void forget() {
        squad = null;
        coreTopTen = null;
    }

    /**
     * Elasticsearch's {@code english} analyzer is Lucene's {@link EnglishAnalyzer}, registered by the {@code
     * analysis-common} module, which the internal test cluster does not load: this registers it the same way.
     */
    public static final class EnglishAnalyzerPlugin extends Plugin implements AnalysisPlugin {
        @Override
        public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
            return List.of(new PreBuiltAnalyzerProviderFactory("english", PreBuiltCacheFactory.CachingStrategy.LUCENE, EnglishAnalyzer::new));
        }
    }

    @Override
    protected Collection<Class<? extends Plugin>> nodePlugins() {
        return List.of(ElmoPlugin.class, EnglishAnalyzerPlugin.class);
    }

    @Override
    protected Settings nodeSettings(int ordinal, Settings other) {
        return Settings.builder().put(super.nodeSettings(ordinal, other))
                .put(ElmoPlugin.MODELS_PATH.getKey(), models.toAbsolutePath().toString())
                .put(ElmoPlugin.INFERENCE_THREADS.getKey(), 1)
                .build();
    }

    private void indexTheCorpus() {
        putJsonPipeline("elmo", """
                {"processors": [{"elmo": {"model_id": "%s", "field": "body", "token_vectors_field": "body_tokens"}}]}""".formatted(MODEL));
        assertAcked(indicesAdmin().prepareCreate(INDEX).setSettings(Settings.builder().put("number_of_shards", 1).put("number_of_replicas", 0))
                .setMapping("""
                        {"_source": {"excludes": ["body_tokens", "body_vector"]},
                         "properties": {
                           "body": {"type": "text", "analyzer": "english"},
                           "body_vector": {"type": "dense_vector", "dims": 32, "index": false},
                           "body_tokens": {"type": "elmo_token_vectors", "dims": 32}}}"""));
        List<BeirDataset.Passage> corpus = squad.corpus();
        for (int from = 0; from < corpus.size(); from += 500) {
            BulkRequestBuilder bulk = client().prepareBulk();
            for (BeirDataset.Passage passage : corpus.subList(from, Math.min(corpus.size(), from + 500))) {
                bulk.add(prepareIndex(INDEX).setId(passage.id()).setPipeline("elmo").setSource(Map.of("body", passage.body())));
            }
            BulkResponse response = bulk.get(TimeValue.timeValueMinutes(2));
            assertFalse(response.buildFailureMessage(), response.hasFailures());
        }
        // One segment in indexing order, as the core's index: BM25 ties then break alike.
        indicesAdmin().prepareForceMerge(INDEX).setMaxNumSegments(1).get();
        indicesAdmin().prepareRefresh(INDEX).get();
    }

    public void testTheRescorersDefaultsRankTheTopTenAsTheCoreDoes() {
        long start = System.nanoTime();
        indexTheCorpus();
        logger.info("indexed {} passages through the elmo processor in {} s", squad.corpus().size(), (System.nanoTime() - start) / 1_000_000_000);
        ModelInfo model = client().execute(ElmoNodesAction.TYPE, new ElmoNodesAction.Request()).actionGet(30, TimeUnit.SECONDS)
                .getNodes().get(0).models().stream().filter(m -> m.id().equals(MODEL)).findFirst().orElseThrow();
        assertEquals("squad-v1.1-dev", model.tokenStatistics().corpus());
        assertEquals(squad.corpus().size(), model.tokenStatistics().documents());

        start = System.nanoTime();
        List<String> identical = new ArrayList<>();
        List<String> nearTies = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        for (int q = 0; q < squad.queries().size(); q++) {
            String question = squad.queries().get(q).text();
            // The request a user sends: {"rescore": {"window_size": 100, "elmo": {"model_id", "text", "field", "mode": "maxsim"}}}
            ElmoRescorerBuilder rescorer = new ElmoRescorerBuilder(MODEL, question, "body_tokens", RescoreMode.MAXSIM, EmbeddingSpec.NONE,
                    ScoreFusion.DEFAULT, null);
            List<String> expected = coreTopTen.get(q);
            assertResponse(prepareSearch(INDEX).setQuery(QueryBuilders.matchQuery("body", question)).setSize(TOP + NEAR_TIE_REACH)
                    .addRescorer(rescorer, WINDOW), response -> {
                SearchHit[] hits = response.getHits().getHits();
                List<String> actual = Arrays.stream(hits).limit(TOP).map(SearchHit::getId).toList();
                String report = question + "\n  core:   " + expected + "\n  plugin: " + Arrays.stream(hits).map(h -> h.getId() + " " + h.getScore())
                        .toList();
                if (actual.equals(expected)) {
                    if (expected.isEmpty() == false) {
                        identical.add(question);
                    }
                } else if (onlyNearTiesDiffer(expected, hits)) {
                    nearTies.add(report);
                } else {
                    differences.add(report);
                }
            });
        }
        logger.info("searched {} questions in {} s: {} identical top 10s, near ties reordered in {}", squad.queries().size(),
                (System.nanoTime() - start) / 1_000_000_000, identical.size(), nearTies);
        assertTrue("the re-ranking changed the top 10 of only " + reordered + " questions", reordered >= QUESTIONS / 2);
        assertEquals("questions whose top 10 differ beyond near ties:\n" + String.join("\n", differences), 0, differences.size());
        assertThat("questions with the core's top 10 exactly; near ties reordered:\n" + String.join("\n", nearTies), identical.size(),
                greaterThanOrEqualTo(50));
    }

    /**
     * Whether the plugin's hits hold the core's top 10 in an order that differs only between hits whose fused scores
     * are within {@link #NEAR_TIE} of each other: the model's outputs change in the 8th digit with the batch a text
     * is embedded in (the core and the node batch differently), which whitening amplifies to about 1e-5.
     */
    private static boolean onlyNearTiesDiffer(List<String> expected, SearchHit[] hits) {
        if (expected.size() > hits.length) {
            return false;
        }
        for (int rank = 0; rank < expected.size(); rank++) {
            float scoreAtRank = hits[rank].getScore();
            String id = expected.get(rank);
            boolean nearby = Arrays.stream(hits).anyMatch(h -> h.getId().equals(id) && Math.abs(h.getScore() - scoreAtRank) <= NEAR_TIE);
            if (nearby == false) {
                return false;
            }
        }
        return true;
    }
}
