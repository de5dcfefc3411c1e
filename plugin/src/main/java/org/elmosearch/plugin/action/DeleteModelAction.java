package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.plugin.store.ModelStore;

import java.io.IOException;

/**
 * {@code DELETE _elmo/models/<model_id>}: removes a model's every version and upload from the cluster's model
 * store, then every node unloads it (runs in progress finish first). Models of the nodes' config directories stay.
 */
public final class DeleteModelAction extends HandledTransportAction<DeleteModelAction.Request, ModelNodesResponse> {

    public static final String NAME = "cluster:admin/elmo/models/delete";
    public static final ActionType<ModelNodesResponse> TYPE = new ActionType<>(NAME);

    private final ModelStore store;
    private final NodeClient client;
    private final ThreadPool threadPool;

    @Inject
    public DeleteModelAction(TransportService transportService, ActionFilters actionFilters, ModelStore store, NodeClient client,
                             ThreadPool threadPool) {
        super(NAME, transportService, actionFilters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.store = store;
        this.client = client;
        this.threadPool = threadPool;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<ModelNodesResponse> listener) {
        threadPool.generic().execute(() -> {
            try {
                store.delete(request.modelId);
            } catch (Exception e) {
                listener.onFailure(e);
                return;
            }
            SyncStoredModelsAction.syncEveryNode(client, request.modelId, listener);
        });
    }

    public static final class Request extends ActionRequest {
        private final String modelId;

        public Request(String modelId) {
            this.modelId = modelId;
        }

        Request(StreamInput in) throws IOException {
            super(in);
            modelId = in.readString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(modelId);
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }
}
