package org.elmosearch.node;

/**
 * The right to use a loaded model until {@link #close}: a model replaced by a reload is closed only when the last
 * lease on it is closed, so that a run in progress never has its ONNX Runtime session freed under it.
 */
public final class ModelLease implements AutoCloseable {

    private final ModelGeneration generation;
    private boolean closed;

    ModelLease(ModelGeneration generation) {
        this.generation = generation;
    }

    public LoadedModel model() {
        return generation.model();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            generation.leave();
        }
    }
}
