package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.AbstractTransportRequest;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.node.ElmoModelRegistry;
import org.elmosearch.node.ModelId;
import org.elmosearch.node.ModelInfo;

import java.io.IOException;
import java.util.List;

/**
 * {@code POST _elmo/models/{model_id}/_reload}: every node loads the model's files again and puts the new model in
 * service (runs in progress finish with the old one). A node where the files do not load keeps the model it had and
 * reports the error as a node failure.
 */
public final class ReloadModelAction extends TransportNodesAction<
        ReloadModelAction.Request, ReloadModelAction.Response, ReloadModelAction.NodeRequest, ReloadModelAction.NodeResponse, Void> {

    public static final String NAME = "cluster:admin/elmo/models/reload";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    private final ElmoModelRegistry registry;

    @Inject
    public ReloadModelAction(ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                             ActionFilters actionFilters, ElmoModelRegistry registry) {
        // GENERIC: loading a large model takes seconds, too long for the management pool that answers _elmo/stats.
        super(NAME, clusterService, transportService, actionFilters, NodeRequest::new, threadPool.executor(ThreadPool.Names.GENERIC));
        this.registry = registry;
    }

    @Override
    protected Response newResponse(Request request, List<NodeResponse> responses, List<FailedNodeException> failures) {
        return new Response(clusterService.getClusterName(), responses, failures);
    }

    @Override
    protected NodeRequest newNodeRequest(Request request) {
        return new NodeRequest(request.modelId);
    }

    @Override
    protected NodeResponse newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new NodeResponse(in, node);
    }

    @Override
    protected NodeResponse nodeOperation(NodeRequest request, Task task) {
        return new NodeResponse(clusterService.localNode(), registry.reload(request.modelId));
    }

    /** The model to reload, on all nodes. */
    public static final class Request extends BaseNodesRequest {
        private final String modelId;

        public Request(String modelId) {
            super(new String[0]);
            ModelId.check(modelId);
            this.modelId = modelId;
        }

        public String modelId() {
            return modelId;
        }
    }

    public static final class NodeRequest extends AbstractTransportRequest {
        private final String modelId;

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

    /** The model on one node after its reload. */
    public static final class NodeResponse extends BaseNodeResponse {
        private final ModelInfo model;

        NodeResponse(DiscoveryNode node, ModelInfo model) {
            super(node);
            this.model = model;
        }

        NodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            model = new ModelInfo(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            model.writeTo(out);
        }

        public ModelInfo model() {
            return model;
        }
    }

    public static final class Response extends LocalNodesResponse<NodeResponse> {
        Response(ClusterName clusterName, List<NodeResponse> nodes, List<FailedNodeException> failures) {
            super(clusterName, nodes, failures);
        }
    }
}
