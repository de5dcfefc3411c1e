package org.elmosearch.plugin.search;

import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.test.AbstractWireSerializingTestCase;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.lucene.ScoreMode;
import org.elmosearch.plugin.EmbeddingSpecs;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.ScoreNormalization;

/** The rescorer reaches the shards intact, before the rewrite embeds its text and after, with the query vectors. */
public class ElmoRescorerBuilderWireTests extends AbstractWireSerializingTestCase<ElmoRescorerBuilder> {

    @Override
    protected ElmoRescorerBuilder createTestInstance() {
        RescoreMode mode = randomFrom(RescoreMode.values());
        ElmoRescorerBuilder builder = randomBoolean()
                ? new ElmoRescorerBuilder(randomAlphaOfLength(4), randomAlphaOfLength(30), randomAlphaOfLength(6), mode, EmbeddingSpecs.random(),
                        new ScoreCombination(randomFrom(ScoreMode.values()), randomFloat(), randomFloat()))
                : new ElmoRescorerBuilder(randomAlphaOfLength(4), randomAlphaOfLength(30), randomAlphaOfLength(6), mode, EmbeddingSpecs.random(),
                        new ScoreFusion(randomFrom(ScoreNormalization.values()), randomFloat(), randomFloat()),
                        mode == RescoreMode.MAXSIM ? randomFrom(true, false, null) : null);
        if (randomBoolean()) {
            builder.windowSize(between(1, 100));
        }
        if (randomBoolean()) {
            // What the rewrite produces: one pooled vector, or a vector and maybe a weight per query token.
            float[][] vectors = new float[between(1, 5)][between(1, 8)];
            for (float[] vector : vectors) {
                for (int d = 0; d < vector.length; d++) {
                    vector[d] = randomFloat();
                }
            }
            float[] weights = null;
            if (randomBoolean()) {
                weights = new float[vectors.length];
                for (int t = 0; t < weights.length; t++) {
                    weights[t] = randomFloat();
                }
            }
            builder = builder.withQueryVectors(vectors, weights);
        }
        return builder;
    }

    @Override
    protected ElmoRescorerBuilder mutateInstance(ElmoRescorerBuilder instance) {
        return randomValueOtherThan(instance, this::createTestInstance);
    }

    @Override
    protected Writeable.Reader<ElmoRescorerBuilder> instanceReader() {
        return ElmoRescorerBuilder::new;
    }
}
