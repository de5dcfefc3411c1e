package org.elmosearch.node;

import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.test.ESTestCase;
import org.elmosearch.elmo.Pooling;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;

public class EmbeddingSpecTests extends ESTestCase {

    public void testTakesOnlyItsOwnKeys() {
        Map<String, Object> config = new HashMap<>(Map.of("mix", List.of(0.5, 0.25, 0.25), "pooling", "max", "normalize", false,
                "max_tokens", 100, "field", "body"));
        EmbeddingSpec spec = EmbeddingSpec.take(config);
        assertEquals(new EmbeddingSpec(List.of(0.5, 0.25, 0.25), Pooling.MAX, false, 100), spec);
        assertEquals(Map.of("field", "body"), config);
    }

    public void testUnsetFieldsFallBack() {
        EmbeddingSpec spec = new EmbeddingSpec(null, Pooling.MAX, null, null).orElse(EmbeddingSpec.DEFAULTS);
        assertEquals(new EmbeddingSpec("average", Pooling.MAX, true, 512), spec);
    }

    public void testMalformedValuesAreNamed() {
        assertThat(expectThrows(IllegalArgumentException.class, () -> EmbeddingSpec.take(new HashMap<>(Map.of("mix", "bottom"))))
                .getMessage(), containsString("[mix]"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> EmbeddingSpec.take(new HashMap<>(Map.of("mix", List.of("a")))))
                .getMessage(), containsString("[mix]"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> EmbeddingSpec.take(new HashMap<>(Map.of("pooling", "sum"))))
                .getMessage(), containsString("[pooling] must be \"mean\" or \"max\""));
        assertThat(expectThrows(IllegalArgumentException.class, () -> EmbeddingSpec.take(new HashMap<>(Map.of("normalize", "yes"))))
                .getMessage(), containsString("[normalize]"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> EmbeddingSpec.take(new HashMap<>(Map.of("max_tokens", 0))))
                .getMessage(), containsString("[max_tokens] must be between 1 and"));
        assertThat(expectThrows(IllegalArgumentException.class, () -> EmbeddingSpec.take(new HashMap<>(Map.of("max_tokens", 1.5))))
                .getMessage(), containsString("[max_tokens] must be an integer"));
    }

    public void testWireRoundTrip() throws Exception {
        for (EmbeddingSpec spec : List.of(EmbeddingSpec.NONE, EmbeddingSpec.DEFAULTS, new EmbeddingSpec(List.of(1, 0.5, 0), Pooling.MAX, false, 7))) {
            try (BytesStreamOutput out = new BytesStreamOutput()) {
                spec.writeTo(out);
                assertEquals(spec, EmbeddingSpec.readFrom(out.bytes().streamInput()));
            }
        }
    }
}
