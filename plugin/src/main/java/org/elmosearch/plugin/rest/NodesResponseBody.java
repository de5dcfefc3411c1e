package org.elmosearch.plugin.rest;

import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesResponse;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestActions;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;

/** The body every elmo nodes endpoint answers with: the nodes header, the cluster name, then one object per node. */
final class NodesResponseBody {

    /** Writes one node's own fields, inside the node's object (after its name). */
    interface NodeWriter<N extends BaseNodeResponse> {
        void write(N node, XContentBuilder builder) throws IOException;
    }

    private NodesResponseBody() {
    }

    static <N extends BaseNodeResponse> XContentBuilder write(XContentBuilder builder, RestRequest request, BaseNodesResponse<N> response,
                                                             NodeWriter<N> nodeWriter) throws IOException {
        return write(builder, request, response, b -> {}, nodeWriter);
    }

    /** As above, with fields of the whole answer first. */
    static <N extends BaseNodeResponse> XContentBuilder write(XContentBuilder builder, RestRequest request, BaseNodesResponse<N> response,
                                                             org.elasticsearch.core.CheckedConsumer<XContentBuilder, IOException> head,
                                                             NodeWriter<N> nodeWriter) throws IOException {
        builder.startObject();
        head.accept(builder);
        RestActions.buildNodesHeader(builder, request, response);
        builder.field("cluster_name", response.getClusterName().value());
        builder.startObject("nodes");
        for (N node : response.getNodes()) {
            builder.startObject(node.getNode().getId());
            builder.field("name", node.getNode().getName());
            nodeWriter.write(node, builder);
            builder.endObject();
        }
        builder.endObject();
        return builder.endObject();
    }
}
