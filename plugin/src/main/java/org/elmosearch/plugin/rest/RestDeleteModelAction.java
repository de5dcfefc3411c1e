package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestBuilderListener;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.node.ModelId;
import org.elmosearch.plugin.action.DeleteModelAction;
import org.elmosearch.plugin.action.ModelNodesResponse;

import java.util.List;

/**
 * {@code DELETE _elmo/models/<model_id>}: removes a stored model from the cluster and from every node; answers with
 * what each node still has under that id (nothing, or its config directory's model). 404 when the store has no
 * such model.
 */
public final class RestDeleteModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "elmo_delete_model";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.DELETE, "/_elmo/models/{model_id}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String modelId = request.param("model_id");
        ModelId.check(modelId);
        return channel -> client.execute(DeleteModelAction.TYPE, new DeleteModelAction.Request(modelId), new RestBuilderListener<>(channel) {
            @Override
            public RestResponse buildResponse(ModelNodesResponse response, XContentBuilder builder) throws Exception {
                return new RestResponse(RestStatus.OK, NodesResponseBody.write(builder, request, response, (node, b) -> b.field("model", node.model())));
            }
        });
    }
}
