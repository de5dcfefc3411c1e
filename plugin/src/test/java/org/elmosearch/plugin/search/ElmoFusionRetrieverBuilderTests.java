package org.elmosearch.plugin.search;

import org.apache.lucene.search.ScoreDoc;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.search.rank.RankDoc;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverParserContext;
import org.elasticsearch.search.retriever.TestRetrieverBuilder;
import org.elasticsearch.test.AbstractXContentTestCase;
import org.elasticsearch.usage.SearchUsage;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.elmosearch.plugin.ElmoPlugin;
import org.elmosearch.rank.RankFusion;
import org.elmosearch.rank.ScoreNormalization;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.containsString;

/** Parsing, defaults, refusals and the merge of the elmo_fusion retriever, without a cluster. */
public class ElmoFusionRetrieverBuilderTests extends AbstractXContentTestCase<ElmoFusionRetrieverBuilder> {

    @Override
    protected NamedXContentRegistry xContentRegistry() {
        SearchPlugin testRetriever = new SearchPlugin() {
            @Override
            public List<RetrieverSpec<?>> getRetrievers() {
                return List.of(TestRetrieverBuilder.TEST_SPEC);
            }
        };
        return new NamedXContentRegistry(new SearchModule(Settings.EMPTY, List.of(new ElmoPlugin(), testRetriever)).getNamedXContents());
    }

    @Override
    protected ElmoFusionRetrieverBuilder createTestInstance() {
        List<RetrieverBuilder> children = new ArrayList<>();
        float[] weights = new float[between(1, 4)];
        for (int i = 0; i < weights.length; i++) {
            children.add(new TestRetrieverBuilder(randomAlphaOfLength(6)));
            weights[i] = randomBoolean() ? 1f : randomFloatBetween(0f, 5f, true);
        }
        int window = between(1, 500);
        ElmoFusionRetrieverBuilder built = randomBoolean()
                ? ElmoFusionRetrieverBuilder.linear(children, weights, randomFrom(ScoreNormalization.values()), window)
                : ElmoFusionRetrieverBuilder.rrf(children, between(1, 100), window);
        if (randomBoolean()) {
            built.getPreFilterQueryBuilders().add(QueryBuilders.termQuery(randomAlphaOfLength(5), randomAlphaOfLength(5)));
        }
        if (randomBoolean()) {
            built.minScore(randomFloat());
        }
        if (randomBoolean()) {
            built.retrieverName(randomAlphaOfLength(5));
        }
        return built;
    }

    @Override
    protected ElmoFusionRetrieverBuilder doParseInstance(XContentParser parser) throws IOException {
        return (ElmoFusionRetrieverBuilder) RetrieverBuilder.parseTopLevelRetrieverBuilder(parser,
                new RetrieverParserContext(new SearchUsage(), feature -> true));
    }

    @Override
    protected boolean supportsUnknownFields() {
        return false;
    }

    private ElmoFusionRetrieverBuilder parse(String body) throws IOException {
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, "{\"elmo_fusion\": " + body + "}")) {
            return doParseInstance(parser);
        }
    }

    /** The message of the exception and of all its causes: an option nested in an entry is reported as their cause. */
    private String failure(String body) {
        Exception e = expectThrows(Exception.class, () -> parse(body));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    private static final String TWO = "[{\"retriever\": {\"test\": {\"value\": \"a\"}}}, {\"retriever\": {\"test\": {\"value\": \"b\"}}}]";

    public void testDefaultsAreLinearZscoreWeightOneAndAWindowOf100() throws IOException {
        ElmoFusionRetrieverBuilder parsed = parse("{\"retrievers\": " + TWO + "}");
        assertEquals(ElmoFusionRetrieverBuilder.linear(List.of(new TestRetrieverBuilder("a"), new TestRetrieverBuilder("b")),
                new float[] {1, 1}, ScoreNormalization.Z_SCORE, 100), parsed);
        assertEquals(100, parsed.rankWindowSize());
    }

    public void testTheRequestShapeOfTheReadme() throws IOException {
        ElmoFusionRetrieverBuilder parsed = parse("""
                {"method": "linear", "normalizer": "minmax", "rank_window_size": 50, "min_score": 0.2, "_name": "hybrid",
                 "filter": {"term": {"lang": "en"}},
                 "retrievers": [{"retriever": {"test": {"value": "a"}}, "weight": 0.7}, {"retriever": {"test": {"value": "b"}}, "weight": 0.3}]}""");
        ElmoFusionRetrieverBuilder expected = ElmoFusionRetrieverBuilder.linear(List.of(new TestRetrieverBuilder("a"),
                new TestRetrieverBuilder("b")), new float[] {0.7f, 0.3f}, ScoreNormalization.MIN_MAX, 50);
        expected.getPreFilterQueryBuilders().add(QueryBuilders.termQuery("lang", "en"));
        expected.minScore(0.2f);
        expected.retrieverName("hybrid");
        assertEquals(expected, parsed);
    }

    public void testRrfDefaultsToRankConstant60() throws IOException {
        assertEquals(ElmoFusionRetrieverBuilder.rrf(List.of(new TestRetrieverBuilder("a"), new TestRetrieverBuilder("b")),
                RankFusion.DEFAULT_K, 100), parse("{\"method\": \"rrf\", \"retrievers\": " + TWO + "}"));
        assertEquals(ElmoFusionRetrieverBuilder.rrf(List.of(new TestRetrieverBuilder("a"), new TestRetrieverBuilder("b")), 5, 20),
                parse("{\"method\": \"rrf\", \"rank_constant\": 5, \"rank_window_size\": 20, \"retrievers\": " + TWO + "}"));
    }

    public void testUnknownOptionsAreRefusedWithTheAllowedOnes() {
        assertThat(failure("{\"normaliser\": \"minmax\", \"retrievers\": " + TWO + "}"), containsString(
                "[elmo_fusion] unknown option [normaliser]; allowed: [method, normalizer, rank_constant, rank_window_size, retrievers, "
                        + "filter, min_score, _name]"));
        assertThat(failure("{\"retrievers\": [{\"retriever\": {\"test\": {\"value\": \"a\"}}, \"boost\": 2}]}"), containsString(
                "[elmo_fusion.retrievers] unknown option [boost]; allowed: [retriever, weight]"));
    }

    public void testBadValuesNameTheOptionAndTheProblem() {
        assertThat(failure("{\"retrievers\": [{\"retriever\": {\"test\": {\"value\": \"a\"}}, \"weight\": -0.5}]}"),
                containsString("[elmo_fusion] [weight] of retriever [0] must be a finite number >= 0, got [-0.5]"));
        assertThat(failure("{\"normalizer\": \"l2\", \"retrievers\": " + TWO + "}"),
                containsString("[elmo_fusion] [normalizer]: unknown normalization 'l2', expected one of [none, minmax, zscore]"));
        assertThat(failure("{\"method\": \"sum\", \"retrievers\": " + TWO + "}"),
                containsString("[elmo_fusion] [method] must be one of [linear, rrf], got [sum]"));
        assertThat(failure("{\"retrievers\": []}"), containsString("[elmo_fusion] [retrievers] must hold at least one"));
        assertThat(failure("{\"method\": \"rrf\"}"), containsString("[elmo_fusion] [retrievers] must hold at least one"));
        assertThat(failure("{\"retrievers\": [{\"weight\": 2}]}"), containsString("[elmo_fusion] entry [0] of [retrievers] has no [retriever]"));
        assertThat(failure("{\"rank_window_size\": 0, \"retrievers\": " + TWO + "}"),
                containsString("[elmo_fusion] [rank_window_size] must be >= 1, got [0]"));
        assertThat(failure("{\"method\": \"rrf\", \"rank_constant\": 0, \"retrievers\": " + TWO + "}"),
                containsString("[elmo_fusion] [rank_constant] must be >= 1, got [0]"));
        assertThat(failure("{\"retrievers\": [{\"retriever\": {\"nope\": {}}}]}"), containsString("unknown retriever [nope]"));
    }

    public void testOptionsOfTheOtherMethodAreRefused() {
        assertThat(failure("{\"method\": \"rrf\", \"normalizer\": \"zscore\", \"retrievers\": " + TWO + "}"),
                containsString("[elmo_fusion] [normalizer] applies to method [linear] only, not [rrf]"));
        assertThat(failure("{\"method\": \"rrf\", \"retrievers\": [{\"retriever\": {\"test\": {\"value\": \"a\"}}, \"weight\": 2}]}"),
                containsString("[elmo_fusion] [weight] applies to method [linear] only, not [rrf]"));
        assertThat(failure("{\"rank_constant\": 10, \"retrievers\": " + TWO + "}"),
                containsString("[elmo_fusion] [rank_constant] applies to method [rrf] only, not [linear]"));
    }

    private static ScoreDoc hit(int doc, int shard, float score) {
        return new ScoreDoc(doc, score, shard);
    }

    public void testLinearFusionKeepsShardsApartAndRanksFromOne() {
        // The same doc id on two shards is two documents. Child 1 (min-max): (7, shard 0) 1, (7, shard 1) 0.5, (3, shard 0) 0.
        // Child 2: (3, shard 0) 1, (7, shard 1) 0. Weights 1 and 2: (3, 0) = 0 + 2; (7, 0) = 1 + 0 (missing); (7, 1) = 0.5 + 0.
        ElmoFusionRetrieverBuilder fusion = ElmoFusionRetrieverBuilder.linear(List.of(new TestRetrieverBuilder("a"),
                new TestRetrieverBuilder("b")), new float[] {1, 2}, ScoreNormalization.MIN_MAX, 10);
        RankDoc[] fused = fusion.combineInnerRetrieverResults(List.of(
                new ScoreDoc[] {hit(7, 0, 9f), hit(7, 1, 6f), hit(3, 0, 3f)},
                new ScoreDoc[] {hit(3, 0, 0.8f), hit(7, 1, 0.4f)}), false);
        assertEquals(3, fused.length);
        assertRankDoc(fused[0], 3, 0, 2f, 1);
        assertRankDoc(fused[1], 7, 0, 1f, 2);
        assertRankDoc(fused[2], 7, 1, 0.5f, 3);
    }

    public void testRrfFusionCutsTheWindow() {
        // k = 1: (1, 0) = 1/2 + 1/3; (2, 0) = 1/3 + 1/2, tied and seen later; (5, 0) = 1/4, beyond a window of 2.
        ElmoFusionRetrieverBuilder fusion = ElmoFusionRetrieverBuilder.rrf(List.of(new TestRetrieverBuilder("a"),
                new TestRetrieverBuilder("b")), 1, 2);
        RankDoc[] fused = fusion.combineInnerRetrieverResults(List.of(
                new ScoreDoc[] {hit(1, 0, 9f), hit(2, 0, 5f), hit(5, 0, 1f)},
                new ScoreDoc[] {hit(2, 0, 0.9f), hit(1, 0, 0.1f)}), false);
        assertEquals(2, fused.length);
        assertRankDoc(fused[0], 1, 0, 5f / 6, 1);
        assertRankDoc(fused[1], 2, 0, 5f / 6, 2);
    }

    private static void assertRankDoc(RankDoc doc, int id, int shard, float score, int rank) {
        assertEquals(id, doc.doc);
        assertEquals(shard, doc.shardIndex);
        assertEquals(score, doc.score, 1e-6f);
        assertEquals(rank, doc.rank);
    }
}
