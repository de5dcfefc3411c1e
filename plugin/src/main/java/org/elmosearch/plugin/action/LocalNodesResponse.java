package org.elmosearch.plugin.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.TransportAction;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesResponse;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;

import java.util.List;

/**
 * The gathered answers of a nodes action, made and rendered on the node that received the REST request: only the
 * per-node answers travel between nodes, never this.
 */
public abstract class LocalNodesResponse<N extends BaseNodeResponse> extends BaseNodesResponse<N> {

    protected LocalNodesResponse(ClusterName clusterName, List<N> nodes, List<FailedNodeException> failures) {
        super(clusterName, nodes, failures);
    }

    @Override
    protected final List<N> readNodesFrom(StreamInput in) {
        return TransportAction.localOnly();
    }

    @Override
    protected final void writeNodesTo(StreamOutput out, List<N> nodes) {
        TransportAction.localOnly();
    }
}
