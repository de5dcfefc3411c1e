package org.elmosearch.plugin.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.xcontent.ConstructingObjectParser;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.ModelId;
import org.elmosearch.plugin.action.PutModelChunkAction;

import java.io.IOException;
import java.util.List;

/**
 * {@code PUT _elmo/models/<model_id>/_chunk} with {@code {"upload_id", "file", "chunk", "data"}}: one chunk of one
 * file, {@code data} in base64 ({@code chunk} counts from 0; every chunk but a file's last holds exactly the
 * upload's {@code chunk_size} bytes).
 */
public final class RestPutModelChunkAction extends BaseRestHandler {

    private record Body(String uploadId, String file, int chunk, byte[] data) {
    }

    private static final ConstructingObjectParser<Body, Void> PARSER = new ConstructingObjectParser<>("elmo_model_chunk", false,
            a -> new Body((String) a[0], (String) a[1], (Integer) a[2], (byte[]) a[3]));

    static {
        PARSER.declareString(ConstructingObjectParser.constructorArg(), new ParseField("upload_id"));
        PARSER.declareString(ConstructingObjectParser.constructorArg(), new ParseField("file"));
        PARSER.declareInt(ConstructingObjectParser.constructorArg(), new ParseField("chunk"));
        PARSER.declareField(ConstructingObjectParser.constructorArg(), XContentParser::binaryValue, new ParseField("data"),
                ObjectParser.ValueType.STRING);
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
        Body body;
        try (XContentParser parser = request.contentParser()) {
            body = PARSER.parse(parser, null);
        }
        PutModelChunkAction.Request chunk = new PutModelChunkAction.Request(modelId, body.uploadId(), body.file(), body.chunk(), body.data());
        return channel -> client.execute(PutModelChunkAction.TYPE, chunk, new RestToXContentListener<>(channel));
    }
}
