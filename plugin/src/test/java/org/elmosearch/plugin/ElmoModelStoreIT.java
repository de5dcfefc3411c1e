package org.elmosearch.plugin;

import org.apache.lucene.tests.util.LuceneTestCase;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.UUIDs;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.test.ESIntegTestCase;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.node.ElmoModelRegistry;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.node.ModelInfo;
import org.elmosearch.node.ModelSource;
import org.elmosearch.plugin.action.CommitModelAction;
import org.elmosearch.plugin.action.DeleteModelAction;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;
import org.elmosearch.plugin.action.ModelNodesResponse;
import org.elmosearch.plugin.action.PutModelAction;
import org.elmosearch.plugin.action.PutModelChunkAction;
import org.elmosearch.plugin.store.ModelManifest;
import org.elmosearch.plugin.store.ModelStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.hamcrest.Matchers.containsString;

/**
 * The cluster's model store on an in-JVM cluster of two nodes with empty config directories: uploads, checks of
 * corrupt uploads, replacement, deletion, and a node that joins later.
 */
@ESIntegTestCase.ClusterScope(scope = ESIntegTestCase.Scope.TEST, numDataNodes = 2, numClientNodes = 0, supportsDedicatedMasters = false)
@LuceneTestCase.SuppressFileSystems("ExtrasFS")
public class ElmoModelStoreIT extends ESIntegTestCase {

    private static final String MODEL = "stored";
    private static final int CHUNK = 16 << 10;

    @Override
    protected Collection<Class<? extends Plugin>> nodePlugins() {
        return List.of(ElmoPlugin.class);
    }

    @Override
    protected Settings nodeSettings(int ordinal, Settings other) {
        return Settings.builder().put(super.nodeSettings(ordinal, other))
                .put(ElmoPlugin.MODELS_PATH.getKey(), createTempDir().resolve("no-models").toAbsolutePath().toString())
                .put(ElmoPlugin.INFERENCE_THREADS.getKey(), 1)
                .put(ElmoPlugin.MODELS_SYNC_INTERVAL.getKey(), "1s")
                .build();
    }

    private Path tinyModel(long seed) throws Exception {
        Path dir = createTempDir().resolve("model");
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), seed), dir);
        return dir;
    }

    private static List<ModelManifest.ModelFile> files(Path dir) throws Exception {
        List<ModelManifest.ModelFile> files = new ArrayList<>();
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path file : paths.sorted().toList()) {
                byte[] bytes = Files.readAllBytes(file);
                files.add(new ModelManifest.ModelFile(file.getFileName().toString(), bytes.length,
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))));
            }
        }
        return files;
    }

    /** Starts an upload of {@code files} and sends every chunk of {@code dir} but {@code skipChunk} of weights.hdf5 (or none: -1). */
    private String upload(Path dir, List<ModelManifest.ModelFile> files, int skipChunk) throws Exception {
        ModelManifest manifest = new ModelManifest(MODEL, UUIDs.randomBase64UUID(), CHUNK, files, System.currentTimeMillis(), false);
        client().execute(PutModelAction.TYPE, new PutModelAction.Request(manifest)).actionGet(30, TimeUnit.SECONDS);
        for (ModelManifest.ModelFile file : files) {
            byte[] bytes = Files.readAllBytes(dir.resolve(file.name()));
            for (int chunk = 0; chunk < file.chunks(CHUNK); chunk++) {
                if (chunk == skipChunk && file.name().equals("weights.hdf5")) {
                    continue;
                }
                byte[] data = Arrays.copyOfRange(bytes, chunk * CHUNK, Math.min(bytes.length, (chunk + 1) * CHUNK));
                putChunk(manifest.version(), file.name(), chunk, data);
            }
        }
        return manifest.version();
    }

    private void putChunk(String uploadId, String file, int chunk, byte[] data) {
        client().execute(PutModelChunkAction.TYPE, new PutModelChunkAction.Request(MODEL, uploadId, file, chunk, data)).actionGet(30, TimeUnit.SECONDS);
    }

    private CommitModelAction.Response commit(String uploadId) {
        return client().execute(CommitModelAction.TYPE, new CommitModelAction.Request(MODEL, uploadId)).actionGet(60, TimeUnit.SECONDS);
    }

    private static float[] embed(Client client) {
        return client.execute(EmbedAction.TYPE, new EmbedRequest(MODEL, List.of("the river bank"), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED))
                .actionGet(30, TimeUnit.SECONDS).results().get(0).vector();
    }

    private static void assertEveryNodeServes(CommitModelAction.Response response, String version) {
        assertFalse(response.nodes().failures().toString(), response.nodes().hasFailures());
        for (ModelNodesResponse.NodeResponse node : response.nodes().getNodes()) {
            ModelInfo model = node.model();
            assertEquals(model.toString(), ModelInfo.State.LOADED, model.state());
            assertEquals(ModelSource.cluster(version), model.source());
        }
    }

    private float[][] embedOnEveryNode() {
        String[] names = internalCluster().getNodeNames();
        float[][] vectors = new float[names.length][];
        for (int i = 0; i < names.length; i++) {
            vectors[i] = embed(internalCluster().client(names[i]));
        }
        return vectors;
    }

    public void testAnUploadIsServedByEveryNodeAndANewVersionReplacesItEverywhere() throws Exception {
        Path first = tinyModel(11);
        String v1 = upload(first, files(first), -1);
        CommitModelAction.Response committed = commit(v1);
        assertEquals(2, committed.nodes().getNodes().size());
        assertEveryNodeServes(committed, v1);
        float[][] before = embedOnEveryNode();
        assertArrayEquals(before[0], before[1], 0f);

        Path second = tinyModel(12);
        String v2 = upload(second, files(second), -1);
        assertEveryNodeServes(commit(v2), v2);
        float[][] after = embedOnEveryNode();
        assertArrayEquals(after[0], after[1], 0f);
        assertFalse("the new weights answer", Arrays.equals(before[0], after[0]));
    }

    public void testOfTwoUploadsInProgressTheLaterCommitServesAndTheOtherCanStillCommit() throws Exception {
        Path first = tinyModel(11);
        Path second = tinyModel(12);
        String v1 = upload(first, files(first), -1);
        String v2 = upload(second, files(second), -1);
        assertEveryNodeServes(commit(v2), v2);
        float[] fromSecond = embed(client());
        // A commit used to remove every other upload of the model, so that v1's commit was answered 404.
        assertEveryNodeServes(commit(v1), v1);
        float[][] fromFirst = embedOnEveryNode();
        assertArrayEquals(fromFirst[0], fromFirst[1], 0f);
        assertFalse("the later commit's weights answer", Arrays.equals(fromSecond, fromFirst[0]));
        ResourceNotFoundException replaced = expectThrows(ResourceNotFoundException.class, () -> commit(v2));
        assertThat("the version it replaced is gone", replaced.getMessage(), containsString("no such upload"));
    }

    public void testANodeThatMissedACommitCatchesUpAtItsNextCheck() throws Exception {
        Path first = tinyModel(11);
        String v1 = upload(first, files(first), -1);
        assertEveryNodeServes(commit(v1), v1);
        Path second = tinyModel(12);
        String v2 = upload(second, files(second), -1);
        // The version in service changes in the store, and no node is told: as if every node missed the commit.
        ModelStore store = internalCluster().getInstance(ModelStore.class);
        store.commit(store.manifest(MODEL, v2), System.currentTimeMillis());
        assertBusy(() -> {
            for (String node : internalCluster().getNodeNames()) {
                assertEquals(node, v2, internalCluster().getInstance(ElmoModelRegistry.class, node).storedVersions().get(MODEL));
            }
        }, 30, TimeUnit.SECONDS);
        float[][] vectors = embedOnEveryNode();
        assertArrayEquals(vectors[0], vectors[1], 0f);
    }

    public void testCorruptUploadsAreRefusedNamingTheProblemAndTheVersionInServiceKeepsServing() throws Exception {
        Path good = tinyModel(11);
        String v1 = upload(good, files(good), -1);
        commit(v1);
        float[] serving = embed(client());

        List<ModelManifest.ModelFile> wrongChecksum = new ArrayList<>(files(good));
        ModelManifest.ModelFile weights = wrongChecksum.stream().filter(f -> f.name().equals("weights.hdf5")).findFirst().orElseThrow();
        wrongChecksum.set(wrongChecksum.indexOf(weights), new ModelManifest.ModelFile("weights.hdf5", weights.length(), "0".repeat(64)));
        assertRefused(upload(good, wrongChecksum, -1), "[weights.hdf5]: the uploaded bytes have sha256");

        assertThat("the test needs a file of several chunks", weights.chunks(CHUNK), org.hamcrest.Matchers.greaterThan(2));
        assertRefused(upload(good, files(good), 1), "[weights.hdf5] chunk [1] of " + weights.chunks(CHUNK) + " is missing");

        String truncatedChunk = upload(good, files(good), 0);
        IllegalArgumentException shortChunk = expectThrows(IllegalArgumentException.class, () -> putChunk(truncatedChunk, "weights.hdf5", 0, new byte[100]));
        assertThat(shortChunk.getMessage(), containsString("chunk [0] of [weights.hdf5] holds 100 bytes"));

        // A truncated HDF5 file with a manifest that matches it: the bytes arrive whole, but they are not a model.
        Path truncated = createTempDir().resolve("truncated");
        Files.createDirectories(truncated);
        for (ModelManifest.ModelFile file : files(good)) {
            byte[] bytes = Files.readAllBytes(good.resolve(file.name()));
            Files.write(truncated.resolve(file.name()), file.name().equals("weights.hdf5") ? Arrays.copyOf(bytes, bytes.length / 2) : bytes);
        }
        assertRefused(upload(truncated, files(truncated), -1), "does not make a loadable model");

        for (Client client : internalCluster().getClients()) {
            assertArrayEquals(serving, embed(client), 0f);
        }
    }

    private void assertRefused(String uploadId, String reason) {
        Exception e = expectThrows(Exception.class, () -> commit(uploadId));
        Throwable cause = ExceptionsHelper.unwrapCause(e);
        assertTrue(cause.toString(), cause instanceof IllegalArgumentException);
        assertThat(cause.getMessage(), containsString(reason));
    }

    public void testADeletedModelIsGoneFromEveryNode() throws Exception {
        Path model = tinyModel(11);
        commit(upload(model, files(model), -1));
        embedOnEveryNode();
        ModelNodesResponse deleted = client().execute(DeleteModelAction.TYPE, new DeleteModelAction.Request(MODEL))
                .actionGet(30, TimeUnit.SECONDS);
        assertEquals(2, deleted.getNodes().size());
        for (ModelNodesResponse.NodeResponse node : deleted.getNodes()) {
            assertNull(node.model());
        }
        for (Client client : internalCluster().getClients()) {
            Exception e = expectThrows(Exception.class, () -> embed(client));
            assertTrue(e.toString(), ExceptionsHelper.unwrapCause(e) instanceof ResourceNotFoundException);
        }
        Exception again = expectThrows(Exception.class,
                () -> client().execute(DeleteModelAction.TYPE, new DeleteModelAction.Request(MODEL)).actionGet(30, TimeUnit.SECONDS));
        assertThat(ExceptionsHelper.unwrapCause(again).getMessage(), containsString("no such model in the cluster's model store"));
    }

    public void testANodeThatJoinsLaterLoadsTheStoredModelsByItself() throws Exception {
        Path model = tinyModel(11);
        String version = upload(model, files(model), -1);
        commit(version);
        float[] expected = embed(client());
        String joined = internalCluster().startNode();
        ensureGreen();
        assertBusy(() -> {
            List<ModelInfo> models = internalCluster().getInstance(org.elmosearch.node.ElmoModelRegistry.class, joined).describe();
            assertEquals(models.toString(), 1, models.size());
            assertEquals(ModelInfo.State.LOADED, models.get(0).state());
            assertEquals(ModelSource.cluster(version), models.get(0).source());
        }, 60, TimeUnit.SECONDS);
        assertArrayEquals(expected, embed(internalCluster().client(joined)), 0f);
    }
}
