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

    public void testClosingLeasesFromTwoThreadsAtOnceLeavesTheirGenerationOncePerLease() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        ExecutorService closers = Executors.newFixedThreadPool(2);
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel model = TinyModels.loaded(registry, "tiny");
            // Both threads close the same leases in the same order: the one behind catches up with the one that
            // leaves, and wherever they meet both may find a lease open. Rounds give the two threads more chances
            // to overlap on a busy machine.
            for (int round = 0; round < 20; round++) {
                ModelGeneration generation = new ModelGeneration(model);
                generation.enter();
                ModelLease[] leases = new ModelLease[100_000];
                for (int i = 0; i < leases.length; i++) {
                    leases[i] = generation.enter();
                }
                CyclicBarrier together = new CyclicBarrier(2);
                Runnable closeAll = () -> {
                    safeAwait(together);
                    for (ModelLease lease : leases) {
                        lease.close();
                    }
                };
                Future<?> first = closers.submit(closeAll);
                Future<?> second = closers.submit(closeAll);
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
