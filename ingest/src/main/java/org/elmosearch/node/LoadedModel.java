package org.elmosearch.node;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddingOptions;

/**
 * A model in memory on this node: one ONNX Runtime session shared by every thread.
 *
 * @param defaults the model's {@code settings.json} over the built-in defaults: every field set
 */
public record LoadedModel(String id, ElmoModel model, ElmoEncoder encoder, ElmoEmbedder embedder, EmbeddingSpec defaults)
        implements AutoCloseable {

    public LoadedModel(String id, ElmoModel model, ElmoEncoder encoder, EmbeddingSpec defaults) {
        this(id, model, encoder, new ElmoEmbedder(encoder), defaults);
    }

    public ElmoOptions options() {
        return model.options();
    }

    public int dims() {
        return model.options().outputDim();
    }

    /** {@code request} completed by this model's defaults; fails if its mix does not fit the model's layers. */
    public EmbeddingOptions resolve(EmbeddingSpec request) {
        EmbeddingSpec spec = request.orElse(defaults);
        return new EmbeddingOptions(spec.scalarMix(options().outputLayers()), spec.pooling(), spec.normalize(), spec.maxTokens());
    }

    @Override
    public void close() {
        encoder.close();
    }
}
