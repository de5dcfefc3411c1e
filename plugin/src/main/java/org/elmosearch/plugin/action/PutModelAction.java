package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionRunnable;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.action.support.TransportAction;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.plugin.store.ModelManifest;
import org.elmosearch.plugin.store.ModelStore;

import java.io.IOException;

/**
 * {@code PUT _elmo/models/<model_id>}: starts an upload into the cluster's model store by recording its manifest;
 * the answer's {@code upload_id} names the upload in the chunk and commit requests. Nothing is replaced until the
 * commit.
 */
public final class PutModelAction extends HandledTransportAction<PutModelAction.Request, PutModelAction.Response> {

    public static final String NAME = "cluster:admin/elmo/models/put";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    private final ModelStore store;
    private final ThreadPool threadPool;

    @Inject
    public PutModelAction(TransportService transportService, ActionFilters actionFilters, ModelStore store, ThreadPool threadPool) {
        super(NAME, transportService, actionFilters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.store = store;
        this.threadPool = threadPool;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
        threadPool.generic().execute(ActionRunnable.supply(listener, () -> {
            store.startUpload(request.manifest);
            return new Response(request.manifest);
        }));
    }

    public static final class Request extends ActionRequest {
        private final ModelManifest manifest;

        public Request(ModelManifest manifest) {
            this.manifest = manifest;
        }

        Request(StreamInput in) throws IOException {
            super(in);
            manifest = new ModelManifest(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            manifest.writeTo(out);
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** The upload's manifest, with the chunks each file is expected in. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final ModelManifest manifest;

        Response(ModelManifest manifest) {
            this.manifest = manifest;
        }

        @Override
        public void writeTo(StreamOutput out) {
            TransportAction.localOnly();
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject();
            builder.field("upload_id", manifest.version());
            builder.field("manifest", manifest);
            return builder.endObject();
        }
    }
}
