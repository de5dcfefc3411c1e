package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionRunnable;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.action.support.master.AcknowledgedResponse;
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
 * {@code PUT _elmo/models/<model_id>/_chunk}: stores one chunk of one file of an upload in progress. A chunk whose
 * length does not fit the manifest is refused at once; checksums are checked at the commit.
 */
public final class PutModelChunkAction extends HandledTransportAction<PutModelChunkAction.Request, AcknowledgedResponse> {

    public static final String NAME = "cluster:admin/elmo/models/put/chunk";
    public static final ActionType<AcknowledgedResponse> TYPE = new ActionType<>(NAME);

    private final ModelStore store;
    private final ThreadPool threadPool;

    @Inject
    public PutModelChunkAction(TransportService transportService, ActionFilters actionFilters, ModelStore store, ThreadPool threadPool) {
        super(NAME, transportService, actionFilters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.store = store;
        this.threadPool = threadPool;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<AcknowledgedResponse> listener) {
        threadPool.generic().execute(ActionRunnable.supply(listener, () -> {
            store.putChunk(store.manifest(request.modelId, request.uploadId), request.file, request.chunk, request.data);
            return AcknowledgedResponse.TRUE;
        }));
    }

    public static final class Request extends ActionRequest {
        private final String modelId;
        private final String uploadId;
        private final String file;
        private final int chunk;
        private final byte[] data;

        public Request(String modelId, String uploadId, String file, int chunk, byte[] data) {
            this.modelId = modelId;
            this.uploadId = uploadId;
            this.file = file;
            this.chunk = chunk;
            this.data = data;
        }

        Request(StreamInput in) throws IOException {
            super(in);
            modelId = in.readString();
            uploadId = in.readString();
            file = in.readString();
            chunk = in.readVInt();
            data = in.readByteArray();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(modelId);
            out.writeString(uploadId);
            out.writeString(file);
            out.writeVInt(chunk);
            out.writeByteArray(data);
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }
}
