package org.elmosearch.node;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The right to use a loaded model until {@link #close}: a model replaced by a reload is closed only when the last
 * lease on it is closed, so that a run in progress never has its ONNX Runtime session freed under it.
 */
public final class ModelLease implements AutoCloseable {

    private final ModelGeneration generation;
    /** Atomic: a lease closed by two threads at once must leave its generation once, or it frees the model early. */
    private final AtomicBoolean closed = new AtomicBoolean();

    ModelLease(ModelGeneration generation) {
        this.generation = generation;
    }

    public LoadedModel model() {
        return generation.model();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            generation.leave();
        }
    }
}
