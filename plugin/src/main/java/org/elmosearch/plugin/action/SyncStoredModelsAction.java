package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.ContextPreservingActionListener;
import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.node.ElmoModelRegistry;
import org.elmosearch.node.ModelInfo;
import org.elmosearch.plugin.store.StoredModels;

import java.io.IOException;
import java.util.List;

/**
 * Every node brings its stored models in line with the cluster's model store (after a commit or a delete) and
 * answers with its state of one model: absent once deleted. An internal action: the plugin runs it, never a user.
 */
public final class SyncStoredModelsAction extends TransportNodesAction<
        SyncStoredModelsAction.Request, ModelNodesResponse, ModelNodesResponse.NodeRequest,
        ModelNodesResponse.NodeResponse, Void> {

    public static final String NAME = "internal:elmo/models/sync";
    public static final ActionType<ModelNodesResponse> TYPE = new ActionType<>(NAME);

    private final StoredModels storedModels;
    private final ElmoModelRegistry registry;

    @Inject
    public SyncStoredModelsAction(ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                                  ActionFilters actionFilters, StoredModels storedModels, ElmoModelRegistry registry) {
        // GENERIC: fetching and loading a large model takes a while.
        super(NAME, clusterService, transportService, actionFilters, ModelNodesResponse.NodeRequest::new, threadPool.executor(ThreadPool.Names.GENERIC));
        this.storedModels = storedModels;
        this.registry = registry;
    }

    /**
     * Syncs every node as the plugin rather than as the user whose commit or delete asked for it: that user is
     * allowed the commit or the delete, and needs nothing more.
     */
    static void syncEveryNode(NodeClient client, String modelId, ActionListener<ModelNodesResponse> listener) {
        ThreadContext threadContext = client.threadPool().getThreadContext();
        ActionListener<ModelNodesResponse> inCallersContext = ContextPreservingActionListener.wrapPreservingContext(listener, threadContext);
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            client.execute(TYPE, new Request(modelId), inCallersContext);
        }
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
        storedModels.sync();
        ModelInfo model = registry.describe().stream().filter(m -> m.id().equals(request.modelId)).findFirst().orElse(null);
        return new ModelNodesResponse.NodeResponse(clusterService.localNode(), model);
    }

    /** Sync every node; answer with the state of {@code modelId}. */
    public static final class Request extends BaseNodesRequest {
        private final String modelId;

        Request(String modelId) {
            super(new String[0]);
            this.modelId = modelId;
        }
    }
}
