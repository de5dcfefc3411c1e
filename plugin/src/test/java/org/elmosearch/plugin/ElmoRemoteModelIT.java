package org.elmosearch.plugin;

import org.apache.lucene.tests.util.LuceneTestCase;
import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.bulk.BulkRequestBuilder;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.vectors.KnnSearchBuilder;
import org.elasticsearch.test.ESIntegTestCase;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.action.ElmoNodesAction;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;
import org.elmosearch.plugin.action.EmbedResponse;
import org.elmosearch.plugin.search.ElmoQueryVectorBuilder;
import org.junit.BeforeClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.elasticsearch.test.hamcrest.ElasticsearchAssertions.assertAcked;
import static org.hamcrest.Matchers.containsString;

/**
 * A node without the model (a coordinating node, say) embeds queries on a node that has it: two nodes, the model's
 * files on the first only.
 */
@ESIntegTestCase.ClusterScope(scope = ESIntegTestCase.Scope.SUITE, numDataNodes = 2, numClientNodes = 0, supportsDedicatedMasters = false)
@LuceneTestCase.SuppressFileSystems("ExtrasFS")
public class ElmoRemoteModelIT extends ESIntegTestCase {

    private static final String MODEL = "tiny";
    private static Path withModel;
    private static Path withoutModel;

    @BeforeClass
    public static void modelOnOneNodeOnly() throws Exception {
        withModel = createTempDir();
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 11), withModel.resolve(MODEL));
        // With statistics, so that the ranking output's IDF weights cross the wire too.
        TestStatistics.fitInto(withModel.resolve(MODEL), TestCorpus.SENTENCES);
        withoutModel = Files.createDirectories(createTempDir().resolve("empty"));
    }

    @Override
    protected Collection<Class<? extends Plugin>> nodePlugins() {
        return List.of(ElmoPlugin.class);
    }

    @Override
    protected Settings nodeSettings(int ordinal, Settings other) {
        return Settings.builder().put(super.nodeSettings(ordinal, other))
                .put(ElmoPlugin.MODELS_PATH.getKey(), (ordinal == 0 ? withModel : withoutModel).toAbsolutePath().toString())
                .put(ElmoPlugin.INFERENCE_THREADS.getKey(), 1)
                .build();
    }

    /** The name of the node that has the model's files (true) or not (false). */
    private String node(boolean hasModel) {
        ElmoNodesAction.Response response = client().execute(ElmoNodesAction.TYPE, new ElmoNodesAction.Request()).actionGet(30, TimeUnit.SECONDS);
        assertEquals(2, response.getNodes().size());
        return response.getNodes().stream().filter(n -> n.models().isEmpty() != hasModel).findFirst().orElseThrow().getNode().getName();
    }

    private static EmbedResponse embed(Client client, String text, EmbedRequest.Output output) {
        return client.execute(EmbedAction.TYPE, new EmbedRequest(MODEL, List.of(text), EmbeddingSpec.NONE, output)).actionGet(30, TimeUnit.SECONDS);
    }

    public void testANodeWithoutTheModelGetsTheSameVectorsFromOneThatHasIt() {
        Client local = internalCluster().client(node(true));
        Client remote = internalCluster().client(node(false));
        String text = "The river bank was muddy after the rain.";
        for (EmbedRequest.Output output : EmbedRequest.Output.values()) {
            EmbedResponse direct = embed(local, text, output);
            EmbedResponse forwarded = embed(remote, text, output);
            EmbedResponse.Result expected = direct.results().get(0);
            EmbedResponse.Result actual = forwarded.results().get(0);
            assertEquals(32, forwarded.dims());
            assertEquals(expected.tokens(), actual.tokens());
            assertEquals(expected.truncated(), actual.truncated());
            if (expected.vector() != null) {
                assertArrayEquals(expected.vector(), actual.vector(), 1e-6f);
            }
            if (expected.tokenVectors() != null) {
                assertEquals(expected.tokenVectors().length, actual.tokenVectors().length);
                assertArrayEquals(expected.tokenVectors()[2], actual.tokenVectors()[2], 1e-6f);
            }
            if (output == EmbedRequest.Output.RANKING) {
                assertEquals(expected.tokens().size(), expected.tokenWeights().length);
                assertArrayEquals(expected.tokenWeights(), actual.tokenWeights(), 0f);
            }
            if (expected.layers() != null) {
                assertEquals(expected.layers().length, actual.layers().length);
                assertArrayEquals(expected.layers()[2][1], actual.layers()[2][1], 1e-6f);
            }
        }
    }

    public void testKnnWithTheBuilderWorksThroughACoordinatingNodeWithoutTheModel() {
        putJsonPipeline("elmo", """
                {"processors": [{"elmo": {"model_id": "tiny", "field": "body", "target_field": "body_vector"}}]}""");
        assertAcked(indicesAdmin().prepareCreate("docs").setSettings(Settings.builder().put("number_of_replicas", 0)).setMapping("""
                {"properties": {"body": {"type": "text"},
                  "body_vector": {"type": "dense_vector", "dims": 32, "similarity": "cosine"}}}"""));
        // Ingest runs on the node that receives the bulk: the one with the model.
        Client local = internalCluster().client(node(true));
        BulkRequestBuilder bulk = local.prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
        for (int i = 0; i < TestCorpus.SENTENCES.size(); i++) {
            bulk.add(local.prepareIndex("docs").setId(Integer.toString(i)).setPipeline("elmo").setSource(Map.of("body", TestCorpus.SENTENCES.get(i))));
        }
        BulkResponse indexed = bulk.get(TimeValue.timeValueSeconds(60));
        assertFalse(indexed.buildFailureMessage(), indexed.hasFailures());

        Client remote = internalCluster().client(node(false));
        KnnSearchBuilder knn = new KnnSearchBuilder("body_vector", new ElmoQueryVectorBuilder(MODEL, TestCorpus.SENTENCES.get(3), EmbeddingSpec.NONE),
                3, 20, null, null, null);
        SearchResponse response = remote.prepareSearch("docs").setKnnSearch(List.of(knn)).get();
        try {
            assertEquals("3", response.getHits().getAt(0).getId());
        } finally {
            response.decRef();
        }
    }

    public void testAModelNoNodeHasIsNotFoundNamingTheModel() {
        Client remote = internalCluster().client(node(false));
        Exception e = expectThrows(Exception.class, () -> remote.execute(EmbedAction.TYPE,
                new EmbedRequest("absent", List.of("a"), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED)).actionGet(30, TimeUnit.SECONDS));
        Throwable cause = ExceptionsHelper.unwrapCause(e);
        assertTrue(cause.toString(), cause instanceof ResourceNotFoundException);
        assertThat(cause.getMessage(), containsString("[model_id] [absent]: no node of the cluster has this model"));
    }

    public void testAModelThatFailedToLoadOnTheNodeThatHasItIsAConflictAcrossTheTransport() throws Exception {
        Files.createDirectories(withModel.resolve("broken"));
        Client remote = internalCluster().client(node(false));
        Exception e = expectThrows(Exception.class, () -> remote.execute(EmbedAction.TYPE,
                new EmbedRequest("broken", List.of("a"), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED)).actionGet(30, TimeUnit.SECONDS));
        assertEquals(e.toString(), RestStatus.CONFLICT, ExceptionsHelper.status(e));
        assertThat(ExceptionsHelper.unwrapCause(e).getMessage(), containsString("[model_id] [broken] failed to load: "));
    }
}
