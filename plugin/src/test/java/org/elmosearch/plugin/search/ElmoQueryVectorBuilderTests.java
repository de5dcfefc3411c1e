package org.elmosearch.plugin.search;

import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.node.EmbeddingSpec;

import java.io.IOException;

import static org.hamcrest.Matchers.containsString;

public class ElmoQueryVectorBuilderTests extends ESTestCase {

    private ElmoQueryVectorBuilder parse(String json) throws IOException {
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, json)) {
            return ElmoQueryVectorBuilder.fromXContent(parser);
        }
    }

    public void testParsesTheModelTextAndOptionalOptions() throws IOException {
        assertEquals(new ElmoQueryVectorBuilder("m", "a question", EmbeddingSpec.NONE), parse("{\"model_id\": \"m\", \"text\": \"a question\"}"));
        assertEquals(new ElmoQueryVectorBuilder("m", "q", new EmbeddingSpec("top", Pooling.MAX, null, null)),
                parse("{\"model_id\": \"m\", \"text\": \"q\", \"mix\": \"top\", \"pooling\": \"max\"}"));
    }

    public void testUnknownOptionsAreRefusedWithTheAllowedList() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"query\": \"x\"}"));
        assertThat(e.getMessage(), containsString("[elmo] unknown option [query]; allowed: [model_id, text, mix, pooling, normalize, max_tokens]"));
    }

    public void testMissingOrMalformedFieldsAreNamed() {
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse("{\"text\": \"q\"}")).getMessage(),
                containsString("[elmo] [model_id] is required"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse("{\"model_id\": \"m\", \"text\": 3}")).getMessage(),
                containsString("[elmo] text doesn't support values of type: VALUE_NUMBER"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse("{\"model_id\": \"m\"}")).getMessage(),
                containsString("[elmo] [text] is required and must be a non-empty string"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"pooling\": \"sum\"}"))
                .getMessage(), containsString("[pooling]"));
    }
}
