package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.ElmoObjectParsers;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.action.EmbedRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code POST _elmo/_embed {"model_id": ..., "texts": [...], "output": "pooled|tokens|layers|ranking", mix/pooling/...}}. */
public final class RestEmbedAction extends BaseRestHandler {

    static final String WHERE = "_elmo/_embed";
    static final List<String> KEYS = List.of("model_id", "texts", "output", EmbeddingSpec.MIX, EmbeddingSpec.POOLING,
            EmbeddingSpec.NORMALIZE, EmbeddingSpec.MAX_TOKENS);

    /** The body as given; checked when the request is made. */
    private static final class Body extends ElmoObjectParsers.SpecOptions {
        String modelId;
        List<String> texts;
        String output;
    }

    private static final ObjectParser<Body, Void> PARSER = new ObjectParser<>(WHERE, ElmoObjectParsers.refuseUnknown(WHERE, KEYS), Body::new);

    static {
        PARSER.declareString((b, v) -> b.modelId = v, new ParseField("model_id"));
        PARSER.declareField((b, v) -> b.texts = v, (p, c) -> texts(p), new ParseField("texts"), ObjectParser.ValueType.VALUE_ARRAY);
        PARSER.declareString((b, v) -> b.output = v, new ParseField("output"));
        ElmoObjectParsers.declareSpec(PARSER);
    }

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
        EmbedRequest request;
        try (XContentParser parser = restRequest.contentParser()) {
            request = parse(parser);
        }
        return channel -> client.execute(EmbedAction.TYPE, request, new RestToXContentListener<>(channel));
    }

    static EmbedRequest parse(XContentParser parser) throws IOException {
        Body body = PARSER.parse(parser, null);
        String modelId = ElmoObjectParsers.required(WHERE, "model_id", body.modelId);
        if (body.texts == null) {
            throw new IllegalArgumentException("[" + WHERE + "] [texts] is required and must be an array of strings");
        }
        EmbedRequest.Output output = body.output == null ? EmbedRequest.Output.POOLED : EmbedRequest.Output.parse(body.output);
        return new EmbedRequest(modelId, body.texts, body.spec(), output);
    }

    /** An array of strings and nothing else: a lone string is more likely a mistake than one text. */
    private static List<String> texts(XContentParser parser) throws IOException {
        if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
            throw new IllegalArgumentException("[texts] must be an array of strings, got [" + parser.text() + "]");
        }
        List<String> texts = new ArrayList<>();
        for (XContentParser.Token token = parser.nextToken(); token != XContentParser.Token.END_ARRAY; token = parser.nextToken()) {
            if (token != XContentParser.Token.VALUE_STRING) {
                throw new IllegalArgumentException("[texts] must be an array of strings, found [" + (token.isValue() ? parser.text() : token)
                        + "] at index " + texts.size());
            }
            texts.add(parser.text());
        }
        return texts;
    }
}
