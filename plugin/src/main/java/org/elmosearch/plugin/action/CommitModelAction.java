package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.action.support.TransportAction;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.plugin.store.ModelManifest;
import org.elmosearch.plugin.store.ModelStore;
import org.elmosearch.plugin.store.StoredModels;

import java.io.IOException;

/**
 * {@code POST _elmo/models/<model_id>/_commit}: checks an upload (every chunk present and of the right length, every
 * file's SHA-256, the files load as a model) and only then makes it the model's version in service; every node then
 * loads it, runs in progress finishing on the version before. A refused upload is a 400 naming the problem, and the
 * version in service stays.
 */
public final class CommitModelAction extends HandledTransportAction<CommitModelAction.Request, CommitModelAction.Response> {

    public static final String NAME = "cluster:admin/elmo/models/put/commit";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    private final ModelStore store;
    private final StoredModels storedModels;
    private final NodeClient client;
    private final ThreadPool threadPool;

    @Inject
    public CommitModelAction(TransportService transportService, ActionFilters actionFilters, ModelStore store, StoredModels storedModels,
                             NodeClient client, ThreadPool threadPool) {
        super(NAME, transportService, actionFilters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.store = store;
        this.storedModels = storedModels;
        this.client = client;
        this.threadPool = threadPool;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
        threadPool.generic().execute(() -> {
            ModelManifest committed;
            try {
                ModelManifest manifest = store.manifest(request.modelId, request.uploadId);
                if (manifest.committed()) {
                    throw new IllegalArgumentException("upload [" + request.uploadId + "] of model [" + request.modelId + "] is committed already");
                }
                storedModels.check(manifest);
                store.commit(manifest, threadPool.absoluteTimeInMillis());
                committed = manifest.committedCopy();
            } catch (Exception e) {
                listener.onFailure(e);
                return;
            }
            SyncStoredModelsAction.syncEveryNode(client, request.modelId, listener.map(nodes -> new Response(committed, nodes)));
        });
    }

    public static final class Request extends ActionRequest {
        private final String modelId;
        private final String uploadId;

        public Request(String modelId, String uploadId) {
            this.modelId = modelId;
            this.uploadId = uploadId;
        }

        Request(StreamInput in) throws IOException {
            super(in);
            modelId = in.readString();
            uploadId = in.readString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(modelId);
            out.writeString(uploadId);
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** The version now in service, and each node's state of the model after loading it. */
    public static final class Response extends ActionResponse {
        private final ModelManifest manifest;
        private final ModelNodesResponse nodes;

        Response(ModelManifest manifest, ModelNodesResponse nodes) {
            this.manifest = manifest;
            this.nodes = nodes;
        }

        public ModelManifest manifest() {
            return manifest;
        }

        public ModelNodesResponse nodes() {
            return nodes;
        }

        @Override
        public void writeTo(StreamOutput out) {
            TransportAction.localOnly();
        }
    }
}
