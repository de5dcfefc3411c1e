package org.elmosearch.plugin.rest;

import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.node.ElmoStats;
import org.elmosearch.plugin.action.ElmoNodesAction;

import java.io.IOException;
import java.util.Map;

/**
 * {@code GET _elmo/stats}: per node, the models' native memory and its budget; per node and model, texts, tokens,
 * batches, time spent, truncations and errors.
 */
public final class RestStatsAction extends ElmoNodesRestHandler {

    public RestStatsAction() {
        super("/_elmo/stats");
    }

    @Override
    public String getName() {
        return "elmo_stats";
    }

    @Override
    void writeNode(ElmoNodesAction.NodeResponse node, XContentBuilder builder, RestRequest request) throws IOException {
        builder.field("memory", node.memory());
        builder.startObject("models");
        for (Map.Entry<String, ElmoStats.Snapshot> e : node.stats().entrySet()) {
            builder.field(e.getKey());
            e.getValue().toXContent(builder, request);
        }
        builder.endObject();
    }
}
