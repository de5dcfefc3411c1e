package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code POST _elmo/_embed {"model_id": ..., "texts": [...], "output": "pooled|tokens|layers|ranking", mix/pooling/...}}. */
public final class RestEmbedAction extends BaseRestHandler {

    static final List<String> KEYS = List.of("model_id", "texts", "output", EmbeddingSpec.MIX, EmbeddingSpec.POOLING,
            EmbeddingSpec.NORMALIZE, EmbeddingSpec.MAX_TOKENS);

    @Override
    public String getName() {
        return "elmo_embed";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.POST, "/_elmo/_embed"), new Route(RestRequest.Method.GET, "/_elmo/_embed"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest restRequest, NodeClient client) throws IOException {
        if (!restRequest.hasContent()) {
            throw new IllegalArgumentException("a body is required: {\"model_id\": ..., \"texts\": [...]}");
        }
        Map<String, Object> body;
        try (XContentParser parser = restRequest.contentParser()) {
            body = new HashMap<>(parser.map());
        }
        EmbedRequest request = parse(body);
        return channel -> client.execute(EmbedAction.TYPE, request, new RestToXContentListener<>(channel));
    }

    static EmbedRequest parse(Map<String, Object> body) {
        TreeSet<String> unknown = new TreeSet<>(body.keySet());
        KEYS.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option" + (unknown.size() > 1 ? "s " : " ") + unknown + "; allowed: " + KEYS);
        }
        Object modelId = body.remove("model_id");
        if (!(modelId instanceof String id) || id.isEmpty()) {
            throw new IllegalArgumentException("[model_id] is required and must be a string, got [" + modelId + "]");
        }
        Object texts = body.remove("texts");
        if (!(texts instanceof List<?> list)) {
            throw new IllegalArgumentException("[texts] is required and must be an array of strings, got [" + texts + "]");
        }
        List<String> strings = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new IllegalArgumentException("[texts] must be an array of strings, found [" + list.get(i) + "] at index " + i);
            }
            strings.add(s);
        }
        Object output = body.remove("output");
        EmbedRequest.Output out = output == null ? EmbedRequest.Output.POOLED : EmbedRequest.Output.parse(String.valueOf(output));
        return new EmbedRequest(id, strings, EmbeddingSpec.take(body), out);
    }
}
