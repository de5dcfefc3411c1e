package org.elmosearch.plugin.rest;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestBuilderListener;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.plugin.action.ModelNodesResponse;
import org.elmosearch.plugin.action.ReloadModelAction;

import java.util.List;

/**
 * {@code POST _elmo/models/{model_id}/_reload}: loads a model's files again on every node (new weights or
 * settings, or a retry after a failed load). 200 with each node's model when at least one node reloaded it (nodes
 * that failed are listed under {@code _nodes.failures}, and keep the model they had); otherwise the first failure's
 * own status (404 for a model no node has).
 */
public final class RestReloadModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "elmo_reload_model";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.POST, "/_elmo/models/{model_id}/_reload"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        ReloadModelAction.Request reload = new ReloadModelAction.Request(request.param("model_id"));
        return channel -> client.execute(ReloadModelAction.TYPE, reload, new RestBuilderListener<>(channel) {
            @Override
            public RestResponse buildResponse(ModelNodesResponse response, XContentBuilder builder) throws Exception {
                RestStatus status = response.getNodes().isEmpty() && response.hasFailures()
                        ? ExceptionsHelper.status(ExceptionsHelper.unwrapCause(response.failures().get(0).getCause()))
                        : RestStatus.OK;
                return new RestResponse(status, NodesResponseBody.write(builder, request, response, (node, b) -> b.field("model", node.model())));
            }
        });
    }
}
