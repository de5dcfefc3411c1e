package org.elmosearch.plugin.search;

import org.elasticsearch.common.Strings;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.lucene.ScoreMode;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.ScoreNormalization;

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
        RescoreMode mode = randomFrom(RescoreMode.values());
        EmbeddingSpec spec = new EmbeddingSpec(randomBoolean() ? null : "top", null, randomBoolean() ? null : false, null);
        ElmoRescorerBuilder builder = randomBoolean()
                ? new ElmoRescorerBuilder(randomAlphaOfLength(4), randomAlphaOfLength(30), randomAlphaOfLength(6), mode, spec,
                        new ScoreCombination(randomFrom(ScoreMode.values()), randomFloat(), randomFloat()))
                : new ElmoRescorerBuilder(randomAlphaOfLength(4), randomAlphaOfLength(30), randomAlphaOfLength(6), mode, spec,
                        new ScoreFusion(randomFrom(ScoreNormalization.values()), randomFloat(), randomFloat()),
                        mode == RescoreMode.MAXSIM ? randomFrom(true, false, null) : null);
        if (randomBoolean()) {
            builder.windowSize(between(1, 100));
        }
        return builder;
    }

    public void testDefaultsAreCosineAndTheShippedFusionWithTheModelsIdfDefault() throws IOException {
        ElmoRescorerBuilder parsed = parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\"}");
        assertEquals(new ElmoRescorerBuilder("m", "q", "v", RescoreMode.COSINE, EmbeddingSpec.NONE, ScoreFusion.DEFAULT, null), parsed);
        parsed = parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"t\", \"mode\": \"maxsim\"}");
        assertEquals(new ElmoRescorerBuilder("m", "q", "t", RescoreMode.MAXSIM, EmbeddingSpec.NONE, ScoreFusion.DEFAULT, null), parsed);
    }

    public void testNormalizationNoneKeepsScoreModeArithmeticWithWeightsOne() throws IOException {
        ElmoRescorerBuilder parsed = parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"normalization\": \"none\"}");
        assertEquals(new ElmoRescorerBuilder("m", "q", "v", RescoreMode.COSINE, EmbeddingSpec.NONE, ScoreCombination.DEFAULT), parsed);
        parsed = parse("""
                {"model_id": "m", "text": "q", "field": "t", "mode": "maxsim", "normalization": "none", "score_mode": "multiply",
                 "query_weight": 0.5, "rescore_query_weight": 2}""");
        assertEquals(new ElmoRescorerBuilder("m", "q", "t", RescoreMode.MAXSIM, EmbeddingSpec.NONE,
                new ScoreCombination(ScoreMode.MULTIPLY, 0.5f, 2f)), parsed);
    }

    public void testANormalizationFusesWithTheGivenWeightsAndIdfChoice() throws IOException {
        ElmoRescorerBuilder parsed = parse("""
                {"model_id": "m", "text": "q", "field": "t", "mode": "maxsim", "normalization": "minmax",
                 "query_weight": 0.4, "rescore_query_weight": 0.6, "idf": false}""");
        assertEquals(new ElmoRescorerBuilder("m", "q", "t", RescoreMode.MAXSIM, EmbeddingSpec.NONE,
                new ScoreFusion(ScoreNormalization.MIN_MAX, 0.4f, 0.6f), false), parsed);
        // A weight not given is the shipped fusion's.
        parsed = parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"normalization\": \"zscore\", \"query_weight\": 2}");
        assertEquals(new ElmoRescorerBuilder("m", "q", "v", RescoreMode.COSINE, EmbeddingSpec.NONE,
                new ScoreFusion(ScoreNormalization.Z_SCORE, 2f, ScoreFusion.DEFAULT.elmoWeight()), null), parsed);
    }

    public void testScoreModeOnlyAppliesWithoutNormalization() {
        for (String normalization : List.of("", "\"normalization\": \"zscore\", ", "\"normalization\": \"minmax\", ")) {
            String json = "{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", " + normalization + "\"score_mode\": \"total\"}";
            if (normalization.isEmpty() && ScoreFusion.DEFAULT.normalization() == ScoreNormalization.NONE) {
                continue;
            }
            assertThat(expectThrows(IllegalArgumentException.class, () -> parse(json)).getMessage(),
                    containsString("[elmo] [score_mode] only applies with [normalization] [none]"));
        }
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


    public void testUnknownOptionsAreRefusedWithTheAllowedList() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"weight\": 1}"));
        assertThat(e.getMessage(), containsString(
                "[elmo] unknown option [weight]; allowed: [model_id, text, field, mode, normalization, query_weight, rescore_query_weight, "
                        + "score_mode, idf, mix, pooling, normalize, max_tokens]"));
    }

    public void testMalformedValuesAreNamed() {
        assertThat(expectThrows(IllegalArgumentException.class, () -> parse("{\"model_id\": \"m\", \"text\": \"q\"}")).getMessage(),
                containsString("[elmo] [field] is required"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"normalization\": \"none\", \"score_mode\": \"sum\"}"))
                        .getMessage(),
                containsString("[elmo] [score_mode] must be one of [total, multiply, avg, max, min, replace], got [sum]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"query_weight\": \"x\"}")).getMessage(),
                containsString("[elmo] failed to parse field [query_weight]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"query_weight\": \"NaN\"}")).getMessage(),
                containsString("[elmo] [query_weight] must be a finite number, got [NaN]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"mode\": \"colbert\"}")).getMessage(),
                containsString("[elmo] [mode] must be one of [cosine, maxsim], got [colbert]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"normalization\": \"l2\"}")).getMessage(),
                containsString("[elmo] [normalization] must be one of [none, minmax, zscore], got [l2]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"mode\": \"maxsim\", \"idf\": \"yes\"}")).getMessage(),
                containsString("[elmo] failed to parse field [idf]"));
        assertThat(expectThrows(IllegalArgumentException.class,
                () -> parse("{\"model_id\": \"m\", \"text\": \"q\", \"field\": \"v\", \"idf\": true}")).getMessage(),
                containsString("[elmo] [idf] weighs MaxSim's query tokens: it only applies to [mode] [maxsim]"));
    }
}
