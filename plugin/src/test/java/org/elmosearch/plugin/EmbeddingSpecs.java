package org.elmosearch.plugin;

import org.elmosearch.elmo.Pooling;
import org.elmosearch.node.EmbeddingSpec;

import java.util.List;

import static org.elasticsearch.test.ESTestCase.between;
import static org.elasticsearch.test.ESTestCase.randomBoolean;
import static org.elasticsearch.test.ESTestCase.randomFrom;

/** Random {@link EmbeddingSpec}s for the plugin's serialization tests: each option set or not. */
public final class EmbeddingSpecs {

    private EmbeddingSpecs() {
    }

    public static EmbeddingSpec random() {
        return new EmbeddingSpec(randomBoolean() ? null : randomFrom("average", "top", List.of(0.5, 0.25, 0.25)),
                randomBoolean() ? null : randomFrom(Pooling.values()), randomBoolean() ? null : randomBoolean(),
                randomBoolean() ? null : between(1, EmbeddingSpec.MAX_TOKENS_LIMIT));
    }
}
