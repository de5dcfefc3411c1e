package org.elmosearch.node;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import org.elmosearch.rank.TokenStatistics;

import java.io.IOException;
import java.util.List;

/**
 * What {@code GET _elmo/models} says about one model on one node. Dimensions are known once it is loaded.
 *
 * @param tokenStatistics where the model's fitted token statistics came from; null when it has none (or is not loaded)
 * @param memory          what the loaded model holds outside the heap; null when it is not loaded
 * @param source          where the node's files came from: its config directory, or the cluster's model store
 */
public record ModelInfo(String id, State state, int dims, int layers, long parameterCount, String weightPrecision, String error,
                        StatisticsSummary tokenStatistics, ModelMemory memory, ModelSource source) implements Writeable, ToXContentObject {

    /** A model of the node's config directory. */
    public ModelInfo(String id, State state, int dims, int layers, long parameterCount, String weightPrecision, String error,
                     StatisticsSummary tokenStatistics, ModelMemory memory) {
        this(id, state, dims, layers, parameterCount, weightPrecision, error, tokenStatistics, memory, ModelSource.CONFIG);
    }

    public enum State {
        /** Found on disk, not loaded yet. */
        AVAILABLE,
        LOADING,
        LOADED,
        FAILED
    }

    /**
     * A model's {@code token-statistics.json} in brief: enough to tell which corpus a model's ranking vectors were
     * fitted on.
     *
     * @param mix the layer weights ranking vectors are mixed with
     */
    public record StatisticsSummary(String corpus, long documents, long sampledTokens, List<Float> mix) implements Writeable {

        public static StatisticsSummary of(TokenStatistics statistics) {
            float[] weights = statistics.mix().weights();
            Float[] boxed = new Float[weights.length];
            for (int i = 0; i < weights.length; i++) {
                boxed[i] = weights[i];
            }
            return new StatisticsSummary(statistics.source().corpus(), statistics.documents(), statistics.source().sampledTokens(),
                    List.of(boxed));
        }

        StatisticsSummary(StreamInput in) throws IOException {
            this(in.readString(), in.readVLong(), in.readVLong(), in.readCollectionAsList(StreamInput::readFloat));
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeString(corpus);
            out.writeVLong(documents);
            out.writeVLong(sampledTokens);
            out.writeCollection(mix, StreamOutput::writeFloat);
        }
    }

    public ModelInfo(StreamInput in) throws IOException {
        this(in.readString(), in.readEnum(State.class), in.readVInt(), in.readVInt(), in.readVLong(), in.readOptionalString(),
                in.readOptionalString(), in.readOptionalWriteable(StatisticsSummary::new), in.readOptionalWriteable(ModelMemory::new),
                new ModelSource(in));
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(id);
        out.writeEnum(state);
        out.writeVInt(dims);
        out.writeVInt(layers);
        out.writeVLong(parameterCount);
        out.writeOptionalString(weightPrecision);
        out.writeOptionalString(error);
        out.writeOptionalWriteable(tokenStatistics);
        out.writeOptionalWriteable(memory);
        source.writeTo(out);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("model_id", id);
        builder.field("state", state.name().toLowerCase(java.util.Locale.ROOT));
        source.toXContent(builder);
        if (state == State.LOADED) {
            builder.field("dims", dims);
            builder.field("layers", layers);
            builder.field("parameter_count", parameterCount);
            builder.field("weight_precision", weightPrecision);
            if (tokenStatistics != null) {
                builder.startObject("token_statistics");
                builder.field("corpus", tokenStatistics.corpus());
                builder.field("documents", tokenStatistics.documents());
                builder.field("sampled_tokens", tokenStatistics.sampledTokens());
                builder.field("mix", tokenStatistics.mix());
                builder.endObject();
            }
            if (memory != null) {
                builder.field("memory", memory);
            }
        }
        if (error != null) {
            builder.field("error", error);
        }
        return builder.endObject();
    }
}
