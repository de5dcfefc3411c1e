package org.elmosearch.node;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ElmoOptions;

/**
 * A model in memory on this node: one ONNX Runtime session shared by every thread.
 *
 * @param defaults the model's {@code settings.json} over the built-in defaults: every field set
 */
public record LoadedModel(String id, ElmoModel model, ElmoEncoder encoder, EmbeddingSpec defaults) implements AutoCloseable {

    public ElmoOptions options() {
        return model.options();
    }

    public int dims() {
        return model.options().outputDim();
    }

    /** {@code request} completed by this model's defaults, with its mix checked against the model's layers. */
    public EmbeddingSpec resolve(EmbeddingSpec request) {
        EmbeddingSpec spec = request.orElse(defaults);
        spec.scalarMix(options().outputLayers());
        return spec;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
