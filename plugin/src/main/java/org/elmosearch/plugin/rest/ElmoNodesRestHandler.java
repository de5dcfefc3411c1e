package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestBuilderListener;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.plugin.action.ElmoNodesAction;

import java.io.IOException;
import java.util.List;

/**
 * A {@code GET} endpoint answered from every node through {@link ElmoNodesAction}: the nodes header, then one
 * object per node holding its name and what the subclass writes.
 */
abstract class ElmoNodesRestHandler extends BaseRestHandler {

    private final String path;

    ElmoNodesRestHandler(String path) {
        this.path = path;
    }

    /** Writes one node's fields, inside the node's object. */
    abstract void writeNode(ElmoNodesAction.NodeResponse node, XContentBuilder builder, RestRequest request) throws IOException;

    @Override
    public final List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, path));
    }

    @Override
    protected final RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> client.execute(ElmoNodesAction.TYPE, new ElmoNodesAction.Request(), new RestBuilderListener<>(channel) {
            @Override
            public RestResponse buildResponse(ElmoNodesAction.Response response, XContentBuilder builder) throws Exception {
                return new RestResponse(RestStatus.OK,
                        NodesResponseBody.write(builder, request, response, (node, b) -> writeNode(node, b, request)));
            }
        });
    }
}
