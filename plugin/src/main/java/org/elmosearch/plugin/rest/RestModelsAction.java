package org.elmosearch.plugin.rest;

import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.node.ModelInfo;
import org.elmosearch.plugin.action.ElmoNodesAction;

import java.io.IOException;

/**
 * {@code GET _elmo/models}: each node's models with dimensions, layers, parameter count, native memory, state and
 * load error.
 */
public final class RestModelsAction extends ElmoNodesRestHandler {

    public RestModelsAction() {
        super("/_elmo/models");
    }

    @Override
    public String getName() {
        return "elmo_models";
    }

    @Override
    void writeNode(ElmoNodesAction.NodeResponse node, XContentBuilder builder, RestRequest request) throws IOException {
        builder.field("models_path", node.modelsPath());
        builder.startArray("models");
        for (ModelInfo model : node.models()) {
            model.toXContent(builder, request);
        }
        builder.endArray();
    }
}
