package org.elmosearch.node;

import ai.onnxruntime.OrtEnvironment;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.WeightPrecision;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.rank.RankingOptions;
import org.elmosearch.rank.RankingVectors;
import org.elmosearch.rank.TokenStatistics;

import java.util.OptionalLong;

/**
 * A model in memory on this node: one ONNX Runtime session shared by every thread.
 *
 * <p>With token statistics ({@code token-statistics.json}, from {@code elmo fit}) the vectors that rank — the pooled
 * vector, the token vectors for MaxSim — are the model's {@link #ranking()} vectors: the fitted layer mix, mean
 * pooled, transformed by the statistics. One rule decides when, for documents and queries alike: a request (processor,
 * query vector builder, rescorer, {@code _embed}) that names {@code mix}, {@code pooling} or {@code normalize} opts
 * out and gets plain vectors made as those options say, which an index built with the same options matches.
 *
 * <p>It keeps no {@link ElmoModel}: once ONNX Runtime has built its session from the serialized graph (hundreds of MB
 * for the original ELMo), the graph is garbage, and keeping it would hold it on the heap for the model's whole life,
 * twice during a reload.
 *
 * @param precision      how the graph stores its weights, as {@link ElmoModel#precision()}
 * @param parameterCount as {@link ElmoModel#parameterCount()}
 * @param defaults       the model's {@code settings.json} over the built-in defaults: every field set
 * @param ranking        {@link RankingVectors#defaults} of the model's statistics (none: plain unit vectors)
 * @param memory         what the session holds outside the heap, as measured when it was created
 */
public record LoadedModel(String id, WeightPrecision precision, long parameterCount, ElmoEncoder encoder, ElmoEmbedder embedder,
        EmbeddingSpec defaults, RankingVectors ranking, ModelMemory memory) implements AutoCloseable {

    /**
     * Opens an ONNX Runtime session for {@code model}; the result holds no reference to it. The memory measured is the
     * whole process's growth meanwhile: callers that load models concurrently take turns around this call.
     *
     * @param threads    ONNX Runtime intra-op threads per run, as {@link ElmoEncoder#ElmoEncoder(ElmoModel, int)}
     * @param statistics the model folder's fitted statistics, checked against the model; null when it has none
     */
    public static LoadedModel open(String id, ElmoModel model, int threads, EmbeddingSpec defaults, TokenStatistics statistics) {
        // The runtime's library and environment serve every model: started before measuring, so the first model is not charged for them.
        OrtEnvironment.getEnvironment();
        OptionalLong before = ResidentMemory.anonymousBytes();
        ElmoEncoder encoder = new ElmoEncoder(model, threads);
        ModelMemory memory = ModelMemory.of(model.serializedSize(), before, ResidentMemory.anonymousBytes());
        return new LoadedModel(id, model.precision(), model.parameterCount(), encoder, new ElmoEmbedder(encoder), defaults,
                RankingVectors.defaults(statistics), memory);
    }

    public ElmoOptions options() {
        return encoder.options();
    }

    public int dims() {
        return options().outputDim();
    }

    /** The fitted statistics, or null. */
    public TokenStatistics statistics() {
        return ranking.statistics();
    }

    /**
     * The ranking that makes this request's pooled and token vectors: the model's {@link #ranking()}, or null when
     * they are plain (the model has no statistics, or the request opts out by naming mix, pooling or normalize).
     */
    public RankingVectors vectorRanking(EmbeddingSpec request) {
        boolean optsOut = request.mix() != null || request.pooling() != null || request.normalize() != null;
        return statistics() == null || optsOut ? null : ranking;
    }

    /**
     * How a MaxSim query's token vectors are made and weighted: as {@link #vectorRanking} says, with IDF weights
     * when {@code idf} asks for them (null: the shipped default where the model has statistics, none otherwise).
     *
     * @throws IllegalArgumentException when IDF weights are asked of a model without statistics
     */
    public RankingVectors queryRanking(EmbeddingSpec request, Boolean idf) {
        if (statistics() == null) {
            if (Boolean.TRUE.equals(idf)) {
                throw new IllegalArgumentException("[idf] needs token statistics, but model [" + id + "] has no " + TokenStatistics.FILE_NAME
                        + ": run `elmo fit` on the model folder, or set [idf] to false");
            }
            return ranking;
        }
        RankingOptions options = vectorRanking(request) != null ? ranking.options() : RankingOptions.WITHOUT_STATISTICS;
        return new RankingVectors(statistics(), options.withIdfWeights(idf == null ? RankingOptions.DEFAULT.idfWeights() : idf));
    }

    /**
     * {@code request} completed by this model's defaults; fails if its mix does not fit the model's layers. Where
     * {@link #vectorRanking} applies, the statistics' mix and mean pooling, as {@link RankingVectors} needs them.
     */
    public EmbeddingOptions resolve(EmbeddingSpec request) {
        EmbeddingSpec spec = request.orElse(defaults);
        RankingVectors vectorRanking = vectorRanking(request);
        if (vectorRanking != null) {
            return new EmbeddingOptions(vectorRanking.mix(null), Pooling.MEAN, true, spec.maxTokens());
        }
        return new EmbeddingOptions(spec.scalarMix(options().outputLayers()), spec.pooling(), spec.normalize(), spec.maxTokens());
    }

    @Override
    public void close() {
        encoder.close();
    }
}
