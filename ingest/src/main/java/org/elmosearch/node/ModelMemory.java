package org.elmosearch.node;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.OptionalLong;

/**
 * What a loaded model holds outside the Java heap: its ONNX Runtime session.
 *
 * @param nativeBytes the growth of the process's resident anonymous memory while the session was created, but at
 *                    least the serialized graph's size (the weights the session keeps), since the allocator may hand
 *                    out memory freed earlier without growing; just the graph's size where nothing was measured
 * @param measured    whether the growth was measured ({@code /proc/self/status} was read before and after)
 */
public record ModelMemory(long nativeBytes, boolean measured) implements Writeable, ToXContentObject {

    /**
     * @param graphBytes the serialized graph's size
     * @param before     resident anonymous memory before the session was created, empty where it cannot be read
     * @param after      the same, after
     */
    static ModelMemory of(long graphBytes, OptionalLong before, OptionalLong after) {
        if (before.isEmpty() || after.isEmpty()) {
            return new ModelMemory(graphBytes, false);
        }
        return new ModelMemory(Math.max(graphBytes, after.getAsLong() - before.getAsLong()), true);
    }

    ModelMemory(StreamInput in) throws IOException {
        this(in.readVLong(), in.readBoolean());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeVLong(nativeBytes);
        out.writeBoolean(measured);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.humanReadableField("native_bytes", "native", ByteSizeValue.ofBytes(nativeBytes));
        builder.field("measured", measured);
        return builder.endObject();
    }
}
