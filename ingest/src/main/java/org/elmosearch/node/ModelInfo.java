package org.elmosearch.node;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;

/** What {@code GET _elmo/models} says about one model on one node. Dimensions are known once it is loaded. */
public record ModelInfo(String id, State state, int dims, int layers, long parameterCount, String weightPrecision, String error)
        implements Writeable, ToXContentObject {

    public enum State {
        /** Found on disk, not loaded yet. */
        AVAILABLE,
        LOADING,
        LOADED,
        FAILED
    }

    public ModelInfo(StreamInput in) throws IOException {
        this(in.readString(), in.readEnum(State.class), in.readVInt(), in.readVInt(), in.readVLong(), in.readOptionalString(),
                in.readOptionalString());
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
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("model_id", id);
        builder.field("state", state.name().toLowerCase(java.util.Locale.ROOT));
        if (state == State.LOADED) {
            builder.field("dims", dims);
            builder.field("layers", layers);
            builder.field("parameter_count", parameterCount);
            builder.field("weight_precision", weightPrecision);
        }
        if (error != null) {
            builder.field("error", error);
        }
        return builder.endObject();
    }
}
