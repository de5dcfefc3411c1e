package org.elmosearch.ingest;

import org.elasticsearch.ElasticsearchParseException;
import org.elasticsearch.cluster.metadata.ProjectId;
import org.elasticsearch.test.ESTestCase;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.node.EmbeddingSpec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;

public class ElmoProcessorFactoryTests extends ESTestCase {

    private final ElmoProcessor.Factory factory = new ElmoProcessor.Factory(() -> null);

    private ElmoProcessor create(Map<String, Object> config) throws Exception {
        return factory.create(Map.of(), "tag", null, new HashMap<>(config), ProjectId.DEFAULT);
    }

    public void testDefaults() throws Exception {
        ElmoProcessor processor = create(Map.of("model_id", "m", "field", "body"));
        assertEquals("m", processor.modelId());
        assertEquals("body_vector", processor.targetField());
        assertNull(processor.tokenVectorsField());
        assertEquals(EmbeddingSpec.NONE, processor.spec());
        assertNull(processor.passages());
        assertTrue(processor.isAsync());
        assertEquals("elmo", processor.getType());
    }

    public void testAllOptions() throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of("model_id", "m", "field", "body", "target_field", "v", "mix", List.of(0, 0, 1),
                "pooling", "max", "normalize", false, "max_tokens", 64, "ignore_missing", true, "on_overflow", "fail"));
        config.put("truncated_field", "cut");
        config.put("token_vectors_field", "t");
        config.put("passages", Map.of("target_field", "p", "max_tokens", 16, "overlap_tokens", 4, "token_vectors_field", "tokens"));
        ElmoProcessor processor = create(config);
        assertEquals(new EmbeddingSpec(List.of(0, 0, 1), Pooling.MAX, false, 64), processor.spec());
        assertEquals("t", processor.tokenVectorsField());
        assertEquals(new ElmoProcessor.PassageConfig("p", 16, 4, "tokens"), processor.passages());
    }

    public void testUnknownOptionsAreRefusedWithTheAllowedList() {
        ElasticsearchParseException e = expectThrows(ElasticsearchParseException.class,
                () -> create(Map.of("model_id", "m", "field", "body", "modle", "x", "zzz", 1)));
        assertThat(e.getMessage(), containsString("[elmo] unknown option [modle]; allowed: [model_id, field, target_field, "
                + "token_vectors_field, mix, pooling, normalize, max_tokens, ignore_missing, on_overflow, truncated_field, passages]"));
        assertEquals(List.of("tag"), e.getMetadata("es.processor_tag"));
    }

    public void testUnknownPassageOptionsAreRefusedWithTheAllowedList() {
        ElasticsearchParseException e = expectThrows(ElasticsearchParseException.class,
                () -> create(Map.of("model_id", "m", "field", "body", "passages", Map.of("size", 3))));
        assertThat(e.getMessage(), containsString(
                "[elmo.passages] unknown option [size]; allowed: [target_field, max_tokens, overlap_tokens, token_vectors_field]"));
    }

    public void testRequiredAndMalformedOptionsAreNamed() {
        assertThat(expectThrows(ElasticsearchParseException.class, () -> create(Map.of("field", "body"))).getMessage(),
                containsString("[model_id] required property is missing"));
        assertThat(expectThrows(ElasticsearchParseException.class, () -> create(Map.of("model_id", "m"))).getMessage(),
                containsString("[field] required property is missing"));
        assertThat(expectThrows(ElasticsearchParseException.class, () -> create(Map.of("model_id", "../m", "field", "b"))).getMessage(),
                containsString("plain name"));
        assertThat(expectThrows(ElasticsearchParseException.class, () -> create(Map.of("model_id", "m", "field", "b", "pooling", "sum")))
                .getMessage(), containsString("[pooling]"));
        assertThat(expectThrows(ElasticsearchParseException.class, () -> create(Map.of("model_id", "m", "field", "b", "on_overflow", "x")))
                .getMessage(), containsString("\"truncate\" or \"fail\""));
        assertThat(expectThrows(ElasticsearchParseException.class,
                () -> create(Map.of("model_id", "m", "field", "b", "passages", Map.of("max_tokens", 8, "overlap_tokens", 8)))).getMessage(),
                containsString("smaller than passages.max_tokens"));
    }

    public void testTokenVectorsCannotOverwriteTheTextTheVectorOrAPassageKey() {
        assertThat(expectThrows(ElasticsearchParseException.class,
                () -> create(Map.of("model_id", "m", "field", "b", "token_vectors_field", "b_vector"))).getMessage(),
                containsString("[token_vectors_field] must differ from [field] and [target_field], got [b_vector]"));
        assertThat(expectThrows(ElasticsearchParseException.class,
                () -> create(Map.of("model_id", "m", "field", "b", "passages", Map.of("token_vectors_field", "vector")))).getMessage(),
                containsString("[passages.token_vectors_field] must not be one of a passage's own keys [text, offset, value, vector]"));
    }
}
