package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestActions;
import org.elasticsearch.rest.action.RestBuilderListener;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.node.ElmoStats;
import org.elmosearch.plugin.action.ElmoNodesAction;

import java.util.List;
import java.util.Map;

/** {@code GET _elmo/stats}: per node and model, texts, tokens, batches, time spent, truncations and errors. */
public final class RestStatsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "elmo_stats";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_elmo/stats"));
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
                    builder.startObject("models");
                    for (Map.Entry<String, ElmoStats.Snapshot> e : node.stats().entrySet()) {
                        builder.field(e.getKey());
                        e.getValue().toXContent(builder, request);
                    }
                    builder.endObject();
                    builder.endObject();
                }
                builder.endObject();
                return new RestResponse(RestStatus.OK, builder.endObject());
            }
        });
    }
}
