package org.elmosearch.node;

import org.elasticsearch.test.ESTestCase;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

public class ModelLeaseTests extends ESTestCase {

    public void testClosingALeaseTwiceLeavesItsGenerationOnce() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            ModelGeneration generation = new ModelGeneration(TinyModels.loaded(registry, "tiny"));
            ModelLease kept = generation.enter();
            ModelLease lease = generation.enter();
            lease.close();
            lease.close();
            assertEquals(1, generation.users());
            kept.close();
            assertEquals(0, generation.users());
        }
    }

    public void testClosingALeaseFromTwoThreadsAtOnceLeavesItsGenerationOnce() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        ExecutorService closers = Executors.newFixedThreadPool(2);
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel model = TinyModels.loaded(registry, "tiny");
            // The two closes race on each round; a round where both get through leaves one user too few.
            for (int round = 0; round < 50000; round++) {
                ModelGeneration generation = new ModelGeneration(model);
                generation.enter();
                ModelLease lease = generation.enter();
                CyclicBarrier together = new CyclicBarrier(2);
                Future<?> first = closers.submit(() -> {
                    safeAwait(together);
                    lease.close();
                });
                Future<?> second = closers.submit(() -> {
                    safeAwait(together);
                    lease.close();
                });
                first.get();
                second.get();
                assertEquals("round " + round, 1, generation.users());
            }
        } finally {
            closers.shutdown();
            assertTrue(closers.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
