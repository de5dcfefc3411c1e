package org.elmosearch.plugin.search;

import org.elasticsearch.common.ParsingException;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.lucene.ScoreMode;
import org.elmosearch.node.EmbeddingSpec;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;

public class ElmoRescorerBuilderTests extends ESTestCase {

    private ElmoRescorerBuilder parse(String json) throws IOException {
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, json)) {
            return ElmoRescorerBuilder.fromXContent(parser);
        }
    }

    private static ElmoRescorerBuilder randomBuilder() {
        ElmoRescorerBuilder builder = new ElmoRescorerBuilder(randomAlphaOfLength(4), randomAlphaOfLength(30), randomAlphaOfLength(6),
                randomFrom(RescoreMode.values()), new EmbeddingSpec(randomBoolean() ? null : "top", null, randomBoolean() ? null : false, null),
                new ScoreCombination(randomFrom(ScoreMode.values()), randomFloat(), randomFloat()));
        if (randomBoolean()) {
            builder.windowSize(between(1, 100));
        }
        return builder;
    }

    /** What the rewrite produces: one pooled vector, or one unit vector per query token. */
    private static float[][] randomQueryVectors() {
        float[][] vectors = new float[between(1, 5)][between(1, 8)];
        for (float[] vector : vectors) {
            for (int d = 0; d < vector.length; d++) {
                vector[d] = randomFloat();
            }
        }
        return vectors;
    }

    public void testDefaultsAreCosineTotalAndWeightsOne() throws IOException {
        ElmoRescorerBuilder parsed = parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\"}");
        assertEquals(new ElmoRescorerBuilder("m", "q", "v", RescoreMode.COSINE, EmbeddingSpec.NONE, ScoreCombination.DEFAULT), parsed);
    }

    public void testMaxsimModeWithTheCosineModesScoreOptions() throws IOException {
        ElmoRescorerBuilder parsed = parse("""
                {"model_id": "m", "text": "q", "field": "t", "mode": "maxsim", "score_mode": "multiply",
                 "query_weight": 0.5, "rescore_query_weight": 2}""");
        assertEquals(new ElmoRescorerBuilder("m", "q", "t", RescoreMode.MAXSIM, EmbeddingSpec.NONE,
                new ScoreCombination(ScoreMode.MULTIPLY, 0.5f, 2f)), parsed);
    }

    @SuppressWarnings("unchecked")
    public void testXContentRoundTrip() throws IOException {
        for (int i = 0; i < 20; i++) {
            ElmoRescorerBuilder builder = randomBuilder();
            builder.windowSize(10);
            Map<String, Object> outer = org.elasticsearch.common.xcontent.XContentHelper.convertToMap(JsonXContent.jsonXContent,
                    Strings.toString(builder), false);
            ElmoRescorerBuilder parsed = parse(Strings.toString((org.elasticsearch.xcontent.ToXContent) (b, p) -> b.mapContents(
                    (Map<String, ?>) outer.get("elmo"))));
            parsed.windowSize(10);
            assertEquals(builder, parsed);
        }
    }

    public void testWireRoundTripBeforeAndAfterTheTextIsEmbedded() throws IOException {
        for (int i = 0; i < 20; i++) {
            ElmoRescorerBuilder builder = randomBuilder();
            assertEquals(builder, copyWriteable(builder, new NamedWriteableRegistry(List.of()), ElmoRescorerBuilder::new));
            ElmoRescorerBuilder embedded = builder.withQueryVectors(randomQueryVectors());
            assertNotEquals(builder, embedded);
            assertEquals(embedded, copyWriteable(embedded, new NamedWriteableRegistry(List.of()), ElmoRescorerBuilder::new));
        }
    }

    public void testUnknownOptionsAreRefusedWithTheAllowedList() {
        ParsingException e = expectThrows(ParsingException.class, () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"weight\": 1}"));
        assertThat(e.getMessage(), containsString(
                "unknown option [weight]; allowed: [model_id, text, field, mode, query_weight, rescore_query_weight, score_mode"));
    }

    public void testMalformedValuesAreNamed() {
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse("{\"model_id\": \"m\", \"text\": \"q\"}")).getMessage(),
                containsString("[elmo] [field] is required"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"score_mode\": \"sum\"}")).getMessage(),
                containsString("[elmo] [score_mode] must be one of [total, multiply, avg, max, min, replace], got [sum]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"query_weight\": \"x\"}")).getMessage(),
                containsString("[query_weight] must be a finite number"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"mode\": \"colbert\"}")).getMessage(),
                containsString("[elmo] [mode] must be one of [cosine, maxsim], got [colbert]"));
    }
}
