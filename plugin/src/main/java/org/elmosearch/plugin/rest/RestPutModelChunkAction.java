package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.ModelId;
import org.elmosearch.plugin.ElmoObjectParsers;
import org.elmosearch.plugin.action.PutModelChunkAction;

import java.io.IOException;
import java.util.List;

/**
 * {@code PUT _elmo/models/<model_id>/_chunk} with {@code {"upload_id", "file", "chunk", "data"}}: one chunk of one
 * file, {@code data} in base64 ({@code chunk} counts from 0; every chunk but a file's last holds exactly the
 * upload's {@code chunk_size} bytes).
 */
public final class RestPutModelChunkAction extends BaseRestHandler {

    private static final String WHERE = "_elmo/models/_chunk";

    private static final class Body {
        String uploadId;
        String file;
        int chunk;
        byte[] data;
    }

    private static final ObjectParser<Body, Void> PARSER = new ObjectParser<>(WHERE,
            ElmoObjectParsers.refuseUnknown(WHERE, List.of("upload_id", "file", "chunk", "data")), Body::new);

    static {
        PARSER.declareString((b, v) -> b.uploadId = v, new ParseField("upload_id"));
        PARSER.declareString((b, v) -> b.file = v, new ParseField("file"));
        PARSER.declareInt((b, v) -> b.chunk = v, new ParseField("chunk"));
        PARSER.declareField((b, v) -> b.data = v, XContentParser::binaryValue, new ParseField("data"), ObjectParser.ValueType.STRING);
        for (String required : List.of("upload_id", "file", "chunk", "data")) {
            PARSER.declareRequiredFieldSet(required);
        }
    }

    /** @throws IllegalArgumentException (a 400) naming an unknown or missing option */
    static PutModelChunkAction.Request parse(String modelId, XContentParser parser) {
        Body body = PARSER.apply(parser, null);
        return new PutModelChunkAction.Request(modelId, body.uploadId, body.file, body.chunk, body.data);
    }

    @Override
    public String getName() {
        return "elmo_put_model_chunk";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.PUT, "/_elmo/models/{model_id}/_chunk"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        String modelId = request.param("model_id");
        ModelId.check(modelId);
        PutModelChunkAction.Request chunk;
        try (XContentParser parser = request.contentParser()) {
            chunk = parse(modelId, parser);
        }
        return channel -> client.execute(PutModelChunkAction.TYPE, chunk, new RestToXContentListener<>(channel));
    }
}
