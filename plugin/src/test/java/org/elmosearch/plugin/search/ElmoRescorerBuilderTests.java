package org.elmosearch.plugin.search;

import org.elasticsearch.common.ParsingException;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;
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
                new EmbeddingSpec(randomBoolean() ? null : "top", null, randomBoolean() ? null : false, null), randomFloat(), randomFloat(),
                randomFrom(ElmoRescorer.ScoreMode.values()));
        if (randomBoolean()) {
            builder.windowSize(between(1, 100));
        }
        return builder;
    }

    public void testDefaults() throws IOException {
        ElmoRescorerBuilder parsed = parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\"}");
        assertEquals(new ElmoRescorerBuilder("m", "q", "v", EmbeddingSpec.NONE, 1f, 1f, ElmoRescorer.ScoreMode.TOTAL), parsed);
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
            ElmoRescorerBuilder embedded = builder.withQueryVector(new float[] {randomFloat(), randomFloat()});
            assertNotEquals(builder, embedded);
            assertEquals(embedded, copyWriteable(embedded, new NamedWriteableRegistry(List.of()), ElmoRescorerBuilder::new));
        }
    }

    public void testUnknownOptionsAreRefusedWithTheAllowedList() {
        ParsingException e = expectThrows(ParsingException.class, () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"weight\": 1}"));
        assertThat(e.getMessage(), containsString("unknown option [weight]; allowed: [model_id, text, field, query_weight, rescore_query_weight, score_mode"));
    }

    public void testMalformedValuesAreNamed() {
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse("{\"model_id\": \"m\", \"text\": \"q\"}")).getMessage(),
                containsString("[elmo] [field] is required"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"score_mode\": \"sum\"}")).getMessage(),
                containsString("[score_mode] must be one of total, multiply, avg, max, min, replace; got [sum]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"query_weight\": \"x\"}")).getMessage(),
                containsString("[query_weight] must be a finite number"));
    }

    public void testScoreModesCombineTheWeightedScores() {
        assertEquals(5f, ElmoRescorer.ScoreMode.TOTAL.combine(2, 3), 0f);
        assertEquals(6f, ElmoRescorer.ScoreMode.MULTIPLY.combine(2, 3), 0f);
        assertEquals(2.5f, ElmoRescorer.ScoreMode.AVG.combine(2, 3), 0f);
        assertEquals(3f, ElmoRescorer.ScoreMode.MAX.combine(2, 3), 0f);
        assertEquals(2f, ElmoRescorer.ScoreMode.MIN.combine(2, 3), 0f);
        assertEquals(3f, ElmoRescorer.ScoreMode.REPLACE.combine(2, 3), 0f);
    }
}
