package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestBuilderListener;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.node.ModelId;
import org.elmosearch.plugin.action.CommitModelAction;

import java.util.List;

/**
 * {@code POST _elmo/models/<model_id>/_commit?upload_id=<id>}: checks the upload and puts it in service on every
 * node; answers with the manifest and each node's state of the model. 400 naming the problem when the upload is
 * refused.
 */
public final class RestCommitModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "elmo_commit_model";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.POST, "/_elmo/models/{model_id}/_commit"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String modelId = request.param("model_id");
        ModelId.check(modelId);
        String uploadId = request.param("upload_id");
        if (uploadId == null) {
            throw new IllegalArgumentException("[upload_id] is required: the id PUT _elmo/models/" + modelId + " answered with");
        }
        return channel -> client.execute(CommitModelAction.TYPE, new CommitModelAction.Request(modelId, uploadId), new RestBuilderListener<>(channel) {
            @Override
            public RestResponse buildResponse(CommitModelAction.Response response, XContentBuilder builder) throws Exception {
                return new RestResponse(RestStatus.OK, NodesResponseBody.write(builder, request, response.nodes(),
                        b -> b.field("manifest", response.manifest()), (node, b) -> b.field("model", node.model())));
            }
        });
    }
}
