package org.elmosearch.plugin.rest;

import org.elasticsearch.test.ESTestCase;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.action.EmbedRequest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;

public class RestEmbedActionTests extends ESTestCase {

    private static EmbedRequest parse(Map<String, Object> body) {
        return RestEmbedAction.parse(new HashMap<>(body));
    }

    public void testParsesTextsOutputAndOptions() {
        EmbedRequest request = parse(Map.of("model_id", "m", "texts", List.of("a", "b"), "output", "tokens", "pooling", "max"));
        assertEquals("m", request.modelId());
        assertEquals(List.of("a", "b"), request.texts());
        assertEquals(EmbedRequest.Output.TOKENS, request.output());
        assertEquals(new EmbeddingSpec(null, Pooling.MAX, null, null), request.spec());
        assertEquals(EmbedRequest.Output.POOLED, parse(Map.of("model_id", "m", "texts", List.of("a"))).output());
    }

    public void testMistakesAreNamed() {
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse(Map.of("texts", List.of("a")))).getMessage(),
                containsString("[model_id] is required"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse(Map.of("model_id", "m", "texts", "a"))).getMessage(),
                containsString("[texts] is required and must be an array of strings"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse(Map.of("model_id", "m", "texts", List.of("a", 1)))).getMessage(),
                containsString("found [1] at index 1"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse(Map.of("model_id", "m", "texts", List.of("a"), "output", "all")))
                .getMessage(), containsString("[output] must be one of [pooled, tokens, layers, ranking], got [all]"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse(Map.of("model_id", "m", "texts", List.of("a"), "txt", 1)))
                .getMessage(), containsString("unknown option [txt]; allowed: [model_id, texts, output, mix, pooling, normalize, max_tokens]"));
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
