package org.elmosearch.plugin.rest;

import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;

import static org.hamcrest.Matchers.containsString;

public class RestPutModelChunkActionTests extends ESTestCase {

    private void parse(String body) throws IOException {
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, body)) {
            RestPutModelChunkAction.parse("m", parser);
        }
    }

    public void testAChunkNamesItsUploadFileIndexAndData() throws IOException {
        parse("{\"upload_id\": \"u\", \"file\": \"options.json\", \"chunk\": 0, \"data\": \"AAE=\"}");
    }

    public void testAnUnknownOptionIsRefusedWithTheAllowedOnes() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> parse("{\"upload_id\": \"u\", \"file\": \"f\", \"chunk\": 0, \"data\": \"AAE=\", \"sha256\": \"x\"}"));
        assertEquals("[_elmo/models/_chunk] unknown option [sha256]; allowed: [upload_id, file, chunk, data]", e.getMessage());
    }

    public void testAMissingOptionIsNamed() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> parse("{\"upload_id\": \"u\", \"file\": \"f\", \"chunk\": 0}"));
        assertThat(e.getMessage(), containsString("[data]"));
    }
}
