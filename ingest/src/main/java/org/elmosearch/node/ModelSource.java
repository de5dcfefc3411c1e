package org.elmosearch.node;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.Locale;

/**
 * Where a node's model came from.
 *
 * @param kind            the node's config directory, or the cluster's model store
 * @param version         the stored version the node serves (null for a config model)
 * @param shadowedVersion a stored version under the same id that the node's config directory overrides, if any
 */
public record ModelSource(Kind kind, String version, String shadowedVersion) implements Writeable {

    public enum Kind {
        CONFIG,
        CLUSTER
    }

    public static final ModelSource CONFIG = new ModelSource(Kind.CONFIG, null, null);

    public static ModelSource cluster(String version) {
        return new ModelSource(Kind.CLUSTER, version, null);
    }

    ModelSource(StreamInput in) throws IOException {
        this(in.readEnum(Kind.class), in.readOptionalString(), in.readOptionalString());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeEnum(kind);
        out.writeOptionalString(version);
        out.writeOptionalString(shadowedVersion);
    }

    /** The fields inside the model's object. */
    void toXContent(XContentBuilder builder) throws IOException {
        builder.field("source", kind.name().toLowerCase(Locale.ROOT));
        if (version != null) {
            builder.field("version", version);
        }
        if (shadowedVersion != null) {
            builder.field("shadowed_cluster_version", shadowedVersion);
        }
    }
}
