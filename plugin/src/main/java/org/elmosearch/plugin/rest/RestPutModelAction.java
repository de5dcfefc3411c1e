package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.UUIDs;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.ModelId;
import org.elmosearch.plugin.action.PutModelAction;
import org.elmosearch.plugin.store.ModelManifest;

import java.io.IOException;
import java.util.List;

/**
 * {@code PUT _elmo/models/<model_id>} with {@code {"chunk_size": ..., "files": [{"name", "length", "sha256"}]}}:
 * starts an upload into the cluster's model store and answers with its {@code upload_id}.
 */
public final class RestPutModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "elmo_put_model";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.PUT, "/_elmo/models/{model_id}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        String modelId = request.param("model_id");
        ModelId.check(modelId);
        ModelManifest manifest;
        try (XContentParser parser = request.contentParser()) {
            manifest = ModelManifest.parseUpload(modelId, UUIDs.randomBase64UUID(), parser, System.currentTimeMillis());
        }
        return channel -> client.execute(PutModelAction.TYPE, new PutModelAction.Request(manifest), new RestToXContentListener<>(channel));
    }
}
