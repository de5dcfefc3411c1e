package org.elmosearch.plugin.rest;

import org.elasticsearch.common.Strings;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.action.EmbedRequest;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;

public class RestEmbedActionTests extends ESTestCase {

    private EmbedRequest parse(Map<String, Object> body) throws IOException {
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, Strings.toString(
                (org.elasticsearch.xcontent.ToXContent) (b, p) -> b.mapContents(body)))) {
            return RestEmbedAction.parse(parser);
        }
    }

    /** The message of a failure and of its causes: a malformed value is reported by the parser, its reason by the cause. */
    private String failure(Map<String, Object> body) {
        Exception e = expectThrows(IllegalArgumentException.class, () -> parse(body));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    public void testParsesTextsOutputAndOptions() throws IOException {
        EmbedRequest request = parse(Map.of("model_id", "m", "texts", List.of("a", "b"), "output", "tokens", "pooling", "max"));
        assertEquals("m", request.modelId());
        assertEquals(List.of("a", "b"), request.texts());
        assertEquals(EmbedRequest.Output.TOKENS, request.output());
        assertEquals(new EmbeddingSpec(null, Pooling.MAX, null, null), request.spec());
        assertEquals(EmbedRequest.Output.POOLED, parse(Map.of("model_id", "m", "texts", List.of("a"))).output());
    }

    public void testMistakesAreNamed() {
        assertThat(failure(Map.of("texts", List.of("a"))), containsString("[_elmo/_embed] [model_id] is required"));
        assertThat(failure(Map.of("model_id", "m")), containsString("[_elmo/_embed] [texts] is required and must be an array of strings"));
        assertThat(failure(Map.of("model_id", "m", "texts", "a")), containsString("[texts] must be an array of strings, got [a]"));
        assertThat(failure(Map.of("model_id", "m", "texts", List.of("a", 1))), containsString("found [1] at index 1"));
        assertThat(failure(Map.of("model_id", "m", "texts", List.of("a"), "output", "all")),
                containsString("[output] must be one of [pooled, tokens, layers, ranking], got [all]"));
        assertThat(failure(Map.of("model_id", "m", "texts", List.of("a"), "txt", 1)),
                containsString("[_elmo/_embed] unknown option [txt]; allowed: [model_id, texts, output, mix, pooling, normalize, max_tokens]"));
        assertThat(failure(Map.of("model_id", "m", "texts", List.of("a"), "pooling", "sum")), containsString("[pooling]"));
    }

    public void testRequestLimitsAreValidated() {
        assertThat(new EmbedRequest("m", List.of(), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED).validate().getMessage(),
                containsString("[texts] must hold at least one text"));
        List<String> many = java.util.Collections.nCopies(EmbedRequest.MAX_TEXTS + 1, "a");
        assertThat(new EmbedRequest("m", many, EmbeddingSpec.NONE, EmbedRequest.Output.POOLED).validate().getMessage(),
                containsString("more than the limit of " + EmbedRequest.MAX_TEXTS));
        assertNull(new EmbedRequest("m", List.of("a"), EmbeddingSpec.NONE, EmbedRequest.Output.POOLED).validate());
    }
}
