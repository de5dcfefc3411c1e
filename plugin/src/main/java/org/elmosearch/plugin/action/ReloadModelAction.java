package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.node.ElmoModelRegistry;
import org.elmosearch.node.ModelId;

import java.io.IOException;
import java.util.List;

/**
 * {@code POST _elmo/models/{model_id}/_reload}: every node loads the model's files again and puts the new model in
 * service (runs in progress finish with the old one). A node where the files do not load keeps the model it had and
 * reports the error as a node failure.
 */
public final class ReloadModelAction extends TransportNodesAction<
        ReloadModelAction.Request, ModelNodesResponse, ModelNodesResponse.NodeRequest, ModelNodesResponse.NodeResponse, Void> {

    public static final String NAME = "cluster:admin/elmo/models/reload";
    public static final ActionType<ModelNodesResponse> TYPE = new ActionType<>(NAME);

    private final ElmoModelRegistry registry;

    @Inject
    public ReloadModelAction(ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                             ActionFilters actionFilters, ElmoModelRegistry registry) {
        // GENERIC: loading a large model takes seconds, too long for the management pool that answers _elmo/stats.
        super(NAME, clusterService, transportService, actionFilters, ModelNodesResponse.NodeRequest::new, threadPool.executor(ThreadPool.Names.GENERIC));
        this.registry = registry;
    }

    @Override
    protected ModelNodesResponse newResponse(Request request, List<ModelNodesResponse.NodeResponse> responses, List<FailedNodeException> failures) {
        return new ModelNodesResponse(clusterService.getClusterName(), responses, failures);
    }

    @Override
    protected ModelNodesResponse.NodeRequest newNodeRequest(Request request) {
        return new ModelNodesResponse.NodeRequest(request.modelId);
    }

    @Override
    protected ModelNodesResponse.NodeResponse newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new ModelNodesResponse.NodeResponse(in, node);
    }

    @Override
    protected ModelNodesResponse.NodeResponse nodeOperation(ModelNodesResponse.NodeRequest request, Task task) {
        return new ModelNodesResponse.NodeResponse(clusterService.localNode(), registry.reload(request.modelId));
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
}
