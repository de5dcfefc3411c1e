package org.elmosearch.node;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.support.PlainActionFuture;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.test.junit.annotations.TestLogging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;

public class EmbeddingBatcherTests extends ESTestCase {

    public void testRequestsThatArriveTogetherShareBatches() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        ElmoStats stats = new ElmoStats();
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            TinyModels.loaded(registry, "tiny");
            EmbeddingBatcher batcher = new EmbeddingBatcher(registry, stats, executor, new ThreadContext(Settings.EMPTY), true);
            // Holds the executor so that every request queues before the first round starts.
            CountDownLatch gate = new CountDownLatch(1);
            executor.execute(() -> safeAwait(gate));
            List<PlainActionFuture<EmbeddingBatcher.Embeddings>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                PlainActionFuture<EmbeddingBatcher.Embeddings> future = new PlainActionFuture<>();
                batcher.embed("tiny", List.of("document number " + i), EmbeddingSpec.NONE, future);
                futures.add(future);
            }
            gate.countDown();
            for (PlainActionFuture<EmbeddingBatcher.Embeddings> future : futures) {
                assertEquals(32, future.get(30, TimeUnit.SECONDS).texts().get(0).vector().length);
            }
            ElmoStats.Snapshot snapshot = stats.snapshot(java.util.Map.of()).get("tiny");
            assertEquals(100, snapshot.texts());
            assertThat(snapshot.batches(), lessThan(5L));
        } finally {
            executor.shutdown();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    public void testWithBatchingOffEachRequestIsEmbeddedOnItsOwn() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        ElmoStats stats = new ElmoStats();
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel model = TinyModels.loaded(registry, "tiny");
            EmbeddingBatcher batcher = new EmbeddingBatcher(registry, stats, executor, new ThreadContext(Settings.EMPTY), false);
            // Every request queues before the first round, as a bulk's documents do: with batching on they would share runs.
            CountDownLatch gate = new CountDownLatch(1);
            executor.execute(() -> safeAwait(gate));
            List<List<String>> requests = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                requests.add(List.of("document number " + i));
            }
            // A document whose field is an array: one request, so one run for both values.
            requests.add(List.of("the first value", "and the second value"));
            List<PlainActionFuture<EmbeddingBatcher.Embeddings>> futures = new ArrayList<>();
            for (List<String> texts : requests) {
                PlainActionFuture<EmbeddingBatcher.Embeddings> future = new PlainActionFuture<>();
                batcher.embed("tiny", texts, EmbeddingSpec.NONE, future);
                futures.add(future);
            }
            gate.countDown();
            for (int r = 0; r < requests.size(); r++) {
                List<org.elmosearch.embed.EmbeddedText> result = futures.get(r).get(30, TimeUnit.SECONDS).texts();
                for (int t = 0; t < requests.get(r).size(); t++) {
                    float[] alone = model.embedder().embed(List.of(requests.get(r).get(t)), model.resolve(EmbeddingSpec.NONE)).get(0).vector();
                    assertArrayEquals(alone, result.get(t).vector(), 1e-5f);
                }
            }
            ElmoStats.Snapshot snapshot = stats.snapshot(java.util.Map.of()).get("tiny");
            assertEquals(22, snapshot.texts());
            assertEquals(requests.size(), snapshot.batches());
        } finally {
            executor.shutdown();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @TestLogging(value = "org.elmosearch.node.EmbeddingBatcher:error",
            reason = "a listener throws on purpose: the batcher's warning about it is expected, not a failure to read in the log")
    public void testABadRequestFailsAloneInItsBatch() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            EmbeddingBatcher batcher = new EmbeddingBatcher(registry, new ElmoStats(), executor, new ThreadContext(Settings.EMPTY), true);
            CountDownLatch gate = new CountDownLatch(1);
            executor.execute(() -> safeAwait(gate));
            PlainActionFuture<EmbeddingBatcher.Embeddings> good = new PlainActionFuture<>();
            PlainActionFuture<EmbeddingBatcher.Embeddings> badMix = new PlainActionFuture<>();
            PlainActionFuture<EmbeddingBatcher.Embeddings> badModel = new PlainActionFuture<>();
            batcher.embed("tiny", List.of("fine text"), EmbeddingSpec.NONE, good);
            batcher.embed("tiny", List.of("fine text"), new EmbeddingSpec(List.of(1, 2), null, null, null), badMix);
            batcher.embed("missing", List.of("fine text"), EmbeddingSpec.NONE, badModel);
            batcher.embed("tiny", List.of("another"), EmbeddingSpec.NONE, new ActionListener<>() {
                @Override
                public void onResponse(EmbeddingBatcher.Embeddings embeddings) {
                    throw new RuntimeException("a listener that throws");
                }

                @Override
                public void onFailure(Exception e) {
                    throw new RuntimeException("a listener that throws");
                }
            });
            gate.countDown();
            assertEquals(1, good.get(30, TimeUnit.SECONDS).texts().size());
            assertThat(expectThrows(Exception.class, () -> badMix.get(30, TimeUnit.SECONDS)).getMessage(), containsString("layers"));
            assertThat(expectThrows(Exception.class, () -> badModel.get(30, TimeUnit.SECONDS)).getMessage(), containsString("no such model"));
            PlainActionFuture<EmbeddingBatcher.Embeddings> after = new PlainActionFuture<>();
            batcher.embed("tiny", List.of("still working"), EmbeddingSpec.NONE, after);
            assertEquals(1, after.get(30, TimeUnit.SECONDS).texts().size());
        } finally {
            executor.shutdown();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    public void testARequestLongerThanAChunkIsEmbeddedInPiecesInOrder() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        ElmoStats stats = new ElmoStats();
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            EmbeddingBatcher batcher = new EmbeddingBatcher(registry, stats, org.elasticsearch.common.util.concurrent.EsExecutors.DIRECT_EXECUTOR_SERVICE,
                    new ThreadContext(Settings.EMPTY), true);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                texts.add("passage " + i + " " + "word ".repeat(38));
            }
            PlainActionFuture<EmbeddingBatcher.Embeddings> future = new PlainActionFuture<>();
            batcher.embed("tiny", texts, EmbeddingSpec.NONE, future);
            List<org.elmosearch.embed.EmbeddedText> result = future.get(60, TimeUnit.SECONDS).texts();
            assertEquals(300, result.size());
            assertThat(stats.snapshot(java.util.Map.of()).get("tiny").batches(), org.hamcrest.Matchers.greaterThan(1L));
            LoadedModel model = TinyModels.loaded(registry, "tiny");
            for (int i : new int[] {0, 150, 299}) {
                float[] alone = model.embedder().embed(List.of(texts.get(i)), model.resolve(EmbeddingSpec.NONE)).get(0).vector();
                assertArrayEquals(alone, result.get(i).vector(), 1e-5f);
                assertEquals(0, result.get(i).tokenVectors().length);
            }
        }
    }

    public void testARequestTheBatcherCannotTakeIsAnsweredThroughItsListener() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            EmbeddingBatcher batcher = new EmbeddingBatcher(registry, new ElmoStats(), EsExecutors.DIRECT_EXECUTOR_SERVICE,
                    new ThreadContext(Settings.EMPTY), true);
            PlainActionFuture<EmbeddingBatcher.Embeddings> noTexts = new PlainActionFuture<>();
            batcher.embed("tiny", List.of(), EmbeddingSpec.NONE, noTexts);
            assertThat(expectThrows(Exception.class, () -> noTexts.get(30, TimeUnit.SECONDS)).getMessage(), containsString("no texts to embed"));
            PlainActionFuture<EmbeddingBatcher.Embeddings> badId = new PlainActionFuture<>();
            batcher.embed("../tiny", List.of("text"), EmbeddingSpec.NONE, badId);
            assertThat(expectThrows(Exception.class, () -> badId.get(30, TimeUnit.SECONDS)).getMessage(), containsString("plain name"));
        }
    }

    public void testAnErrorThatEndsARoundFailsTheRequestsTheRoundHadTaken() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        // Tasks run when the test says, so that both requests are in the queue when the round starts.
        List<Runnable> tasks = new ArrayList<>();
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            EmbeddingBatcher batcher = new EmbeddingBatcher(registry, new ElmoStats(), tasks::add, new ThreadContext(Settings.EMPTY), true);
            batcher.embed("tiny", List.of("first"), EmbeddingSpec.NONE, ActionListener.wrap(embeddings -> {
                throw new AssertionError("an error in the first listener");
            }, e -> fail("the first request was answered")));
            PlainActionFuture<EmbeddingBatcher.Embeddings> second = new PlainActionFuture<>();
            batcher.embed("tiny", List.of("second"), EmbeddingSpec.NONE, second);
            assertEquals(1, tasks.size());
            expectThrows(AssertionError.class, () -> tasks.remove(0).run());
            assertTrue("the second request of the round was answered", second.isDone());
            assertThat(expectThrows(Exception.class, second::actionGet).getMessage(), containsString("an error in the first listener"));

            PlainActionFuture<EmbeddingBatcher.Embeddings> after = new PlainActionFuture<>();
            batcher.embed("tiny", List.of("still working"), EmbeddingSpec.NONE, after);
            while (tasks.isEmpty() == false) {
                tasks.remove(0).run();
            }
            assertEquals(1, after.actionGet().texts().size());
        }
    }

    public void testTheBatcherKeepsNoQueueForAModelOnceItsRequestsAreAnswered() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            EmbeddingBatcher batcher = new EmbeddingBatcher(registry, new ElmoStats(), EsExecutors.DIRECT_EXECUTOR_SERVICE,
                    new ThreadContext(Settings.EMPTY), true);
            for (int i = 0; i < 20; i++) {
                PlainActionFuture<EmbeddingBatcher.Embeddings> unknown = new PlainActionFuture<>();
                batcher.embed("unknown-" + i, List.of("text"), EmbeddingSpec.NONE, unknown);
                expectThrows(Exception.class, unknown::actionGet);
            }
            PlainActionFuture<EmbeddingBatcher.Embeddings> known = new PlainActionFuture<>();
            batcher.embed("tiny", List.of("text"), EmbeddingSpec.NONE, known);
            assertEquals(1, known.actionGet().texts().size());
            assertEquals(0, batcher.modelQueues());
        }
    }
}
