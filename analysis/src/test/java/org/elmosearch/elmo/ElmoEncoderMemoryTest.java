package org.elmosearch.elmo;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * ONNX Runtime copies the serialized graph into its session: an encoder must not keep the bytes (hundreds of MB for
 * the original ELMo) reachable, so that whoever drops the {@link ElmoModel} frees them.
 */
class ElmoEncoderMemoryTest {

    @Test
    void theSerializedGraphIsCollectableWhileTheEncoderRuns() throws InterruptedException {
        ElmoModel model = ElmoModel.fromWeights(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 3));
        WeakReference<byte[]> graph = new WeakReference<>(model.onnxBytes());
        try (ElmoEncoder encoder = new ElmoEncoder(model, 1)) {
            model = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (graph.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            assertNull(graph.get(), "the encoder keeps the serialized graph reachable");
            assertEquals(1, encoder.encode(List.of(List.of("still", "encoding"))).layers().size());
        }
    }
}
