package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestActions;
import org.elasticsearch.rest.action.RestBuilderListener;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.node.ModelInfo;
import org.elmosearch.plugin.action.ElmoNodesAction;

import java.util.List;

/** {@code GET _elmo/models}: each node's models with dimensions, layers, parameter count, state and load error. */
public final class RestModelsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "elmo_models";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_elmo/models"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> client.execute(ElmoNodesAction.TYPE, new ElmoNodesAction.Request(), new RestBuilderListener<>(channel) {
            @Override
            public RestResponse buildResponse(ElmoNodesAction.Response response, XContentBuilder builder) throws Exception {
                builder.startObject();
                RestActions.buildNodesHeader(builder, request, response);
                builder.field("cluster_name", response.getClusterName().value());
                builder.startObject("nodes");
                for (ElmoNodesAction.NodeResponse node : response.getNodes()) {
                    builder.startObject(node.getNode().getId());
                    builder.field("name", node.getNode().getName());
                    builder.field("models_path", node.modelsPath());
                    builder.startArray("models");
                    for (ModelInfo model : node.models()) {
                        model.toXContent(builder, request);
                    }
                    builder.endArray();
                    builder.endObject();
                }
                builder.endObject();
                return new RestResponse(RestStatus.OK, builder.endObject());
            }
        });
    }
}
