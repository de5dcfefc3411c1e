package org.elmosearch.plugin.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.transport.AbstractTransportRequest;
import org.elmosearch.node.ModelInfo;

import java.io.IOException;
import java.util.List;

/**
 * What every node answers when one model is reloaded, or synced with the model store: the model as the node has it
 * afterwards. Shared by {@link ReloadModelAction} and {@link SyncStoredModelsAction}, with their per-node request.
 */
public final class ModelNodesResponse extends LocalNodesResponse<ModelNodesResponse.NodeResponse> {

    ModelNodesResponse(ClusterName clusterName, List<NodeResponse> nodes, List<FailedNodeException> failures) {
        super(clusterName, nodes, failures);
    }

    /** The model id, sent to each node. */
    public static final class NodeRequest extends AbstractTransportRequest {
        final String modelId;

        NodeRequest(String modelId) {
            this.modelId = modelId;
        }

        NodeRequest(StreamInput in) throws IOException {
            super(in);
            modelId = in.readString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(modelId);
        }
    }

    /** The model on one node; null where the node has no such model (after a sync that removed it). */
    public static final class NodeResponse extends BaseNodeResponse {
        private final ModelInfo model;

        NodeResponse(DiscoveryNode node, ModelInfo model) {
            super(node);
            this.model = model;
        }

        NodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            model = in.readOptionalWriteable(ModelInfo::new);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeOptionalWriteable(model);
        }

        public ModelInfo model() {
            return model;
        }
    }
}
