package org.elmosearch.ingest;

import org.elasticsearch.cluster.metadata.ProjectId;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.ingest.IngestDocument;
import org.elasticsearch.ingest.TestIngestDocument;
import org.elasticsearch.test.ESTestCase;
import org.elmosearch.node.ElmoModelRegistry;
import org.elmosearch.node.ElmoStats;
import org.elmosearch.node.EmbeddingBatcher;
import org.elmosearch.node.TinyModels;
import org.junit.AfterClass;
import org.junit.BeforeClass;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.hamcrest.Matchers.containsString;

public class ElmoProcessorTests extends ESTestCase {

    private static ElmoModelRegistry registry;
    private static EmbeddingBatcher batcher;

    @BeforeClass
    public static void tinyModel() throws Exception {
        var root = createTempDir();
        TinyModels.write(root, "tiny");
        TinyModels.fitStatistics(TinyModels.write(root, "fitted"), List.of("The sun is a star. The moon orbits the earth.",
                "Tides follow the moon.", "Rivers flow to the sea.", "Mountains are tall and cold."));
        registry = new ElmoModelRegistry(root, 1);
        // A direct executor: each request runs in the calling thread, which keeps these tests synchronous.
        batcher = new EmbeddingBatcher(registry, new ElmoStats(), EsExecutors.DIRECT_EXECUTOR_SERVICE, new ThreadContext(Settings.EMPTY), true);
    }

    @AfterClass
    public static void closeModel() {
        registry.close();
        registry = null;
        batcher = null;
    }

    private static ElmoProcessor processor(Map<String, Object> config) throws Exception {
        Map<String, Object> c = new HashMap<>(config);
        c.putIfAbsent("model_id", "tiny");
        c.putIfAbsent("field", "body");
        return new ElmoProcessor.Factory(() -> batcher).create(Map.of(), null, null, c, ProjectId.DEFAULT);
    }

    /** Runs the processor; returns the document, or throws what it failed with. */
    private static IngestDocument run(ElmoProcessor processor, Map<String, Object> source) throws Exception {
        IngestDocument document = TestIngestDocument.withDefaultVersion(new HashMap<>(source));
        AtomicReference<IngestDocument> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        processor.execute(document, (d, e) -> {
            result.set(d);
            failure.set(e);
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        assertNotNull("the handler was called", result.get());
        return result.get();
    }

    @SuppressWarnings("unchecked")
    private static List<Float> vector(IngestDocument document, String field) {
        return (List<Float>) document.getFieldValue(field, List.class);
    }

    public void testWritesAUnitVectorOfTheModelsWidth() throws Exception {
        IngestDocument document = run(processor(Map.of()), Map.of("body", "The cat sat on the mat."));
        List<Float> v = vector(document, "body_vector");
        assertEquals(32, v.size());
        assertEquals(1.0, v.stream().mapToDouble(x -> x * x).sum(), 1e-4);
    }

    public void testTheSameTextGivesTheSameVectorAsTheEmbedder() throws Exception {
        String text = "Rivers flow to the sea.";
        IngestDocument document = run(processor(Map.of()), Map.of("body", text));
        float[] expected = TinyModels.loaded(registry, "tiny").embedder().embed(List.of(text),
                TinyModels.loaded(registry, "tiny").resolve(org.elmosearch.node.EmbeddingSpec.NONE)).get(0).vector();
        List<Float> v = vector(document, "body_vector");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], v.get(i), 1e-6);
        }
    }

    public void testAnArrayGivesTheVectorOfAllItsTokensPooledTogether() throws Exception {
        List<String> values = List.of("Rivers flow to the sea.", "", "Mountains are tall and cold.");
        for (String pooling : List.of("mean", "max")) {
            IngestDocument document = run(processor(Map.of("pooling", pooling)), Map.of("body", values));
            var model = TinyModels.loaded(registry, "tiny");
            var options = model.resolve(new org.elmosearch.node.EmbeddingSpec(null, org.elmosearch.elmo.Pooling.parse(pooling), false, null));
            List<float[]> tokens = new java.util.ArrayList<>();
            for (var text : model.embedder().embed(values, options)) {
                tokens.addAll(List.of(text.tokenVectors()));
            }
            float[] expected = org.elmosearch.elmo.Pooling.l2Normalize(options.pooling().pool(tokens.toArray(new float[0][])));
            List<Float> v = vector(document, "body_vector");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(pooling, expected[i], v.get(i), 1e-5);
            }
        }
    }

    public void testANonTextValueFailsNamingTheFieldAndType() {
        Exception e = expectThrows(IllegalArgumentException.class, () -> run(processor(Map.of()), Map.of("body", 42)));
        assertThat(e.getMessage(), containsString("field [body] must hold a string or an array of strings, found [Integer]"));
        e = expectThrows(IllegalArgumentException.class, () -> run(processor(Map.of()), Map.of("body", List.of("ok", Map.of()))));
        assertThat(e.getMessage(), containsString("found [object] at index 1"));
    }

    public void testEmptyTextFails() {
        Exception e = expectThrows(IllegalArgumentException.class, () -> run(processor(Map.of()), Map.of("body", "  ")));
        assertThat(e.getMessage(), containsString("field [body] holds no words to embed"));
    }

    public void testAMissingFieldFailsUnlessIgnored() throws Exception {
        Exception e = expectThrows(IllegalArgumentException.class, () -> run(processor(Map.of()), Map.of("other", "x")));
        assertThat(e.getMessage(), containsString("[body]"));
        IngestDocument document = run(processor(Map.of("ignore_missing", true)), Map.of("other", "x"));
        assertFalse(document.hasField("body_vector"));
    }

    public void testAnUnknownModelFailsTheDocument() {
        Exception e = expectThrows(Exception.class, () -> run(processor(Map.of("model_id", "absent")), Map.of("body", "x")));
        assertThat(e.getMessage(), containsString("[absent]: no such model"));
    }

    public void testALongTextIsTruncatedAndRecordedOrFailsAsChosen() throws Exception {
        String text = "word ".repeat(20);
        IngestDocument document = run(processor(Map.of("max_tokens", 5, "truncated_field", "cut")), Map.of("body", text));
        assertEquals(Boolean.TRUE, document.getFieldValue("cut", Boolean.class));
        Exception e = expectThrows(IllegalArgumentException.class,
                () -> run(processor(Map.of("max_tokens", 5, "on_overflow", "fail")), Map.of("body", text)));
        assertThat(e.getMessage(), containsString("field [body] has more than [max_tokens] 5 tokens"));
    }

    public void testAMixThatDoesNotFitTheModelFailsTheDocument() {
        Exception e = expectThrows(IllegalArgumentException.class,
                () -> run(processor(Map.of("mix", List.of(1, 0))), Map.of("body", "Some text.")));
        assertThat(e.getMessage(), containsString("3 layers"));
    }

    @SuppressWarnings("unchecked")
    public void testPassagesCarryTextOffsetAndVector() throws Exception {
        String text = "The sun is a star. The moon orbits the earth. Tides follow the moon.";
        IngestDocument document = run(processor(Map.of("passages", Map.of("target_field", "passages", "max_tokens", 12, "overlap_tokens", 0))),
                Map.of("body", text));
        List<Map<String, Object>> passages = document.getFieldValue("passages", List.class);
        assertEquals(List.of("The sun is a star. The moon orbits the earth.", "Tides follow the moon."),
                passages.stream().map(p -> p.get("text")).toList());
        assertEquals(text.indexOf("Tides"), passages.get(1).get("offset"));
        assertEquals(32, ((List<Float>) passages.get(1).get("vector")).size());
        assertEquals(32, vector(document, "body_vector").size());
    }

    @SuppressWarnings("unchecked")
    private static float[][] tokenVectors(Object value) {
        List<List<Float>> lists = (List<List<Float>>) value;
        float[][] vectors = new float[lists.size()][];
        for (int t = 0; t < vectors.length; t++) {
            vectors[t] = new float[lists.get(t).size()];
            for (int d = 0; d < vectors[t].length; d++) {
                vectors[t][d] = lists.get(t).get(d);
            }
        }
        return vectors;
    }

    /** The model's own mixed token vectors of each text, unit length, one text after another. */
    private static List<float[]> expectedTokenVectors(List<String> texts) throws Exception {
        var model = TinyModels.loaded(registry, "tiny");
        List<float[]> expected = new java.util.ArrayList<>();
        for (var text : model.embedder().embed(texts, model.resolve(org.elmosearch.node.EmbeddingSpec.NONE))) {
            expected.addAll(List.of(org.elmosearch.elmo.Pooling.l2NormalizedCopies(text.tokenVectors())));
        }
        return expected;
    }

    private static void assertVectors(List<float[]> expected, float[][] actual) {
        assertEquals(expected.size(), actual.length);
        for (int t = 0; t < actual.length; t++) {
            assertEquals(32, actual[t].length);
            for (int d = 0; d < actual[t].length; d++) {
                assertEquals("token " + t + ", dimension " + d, expected.get(t)[d], actual[t][d], 1e-5f);
            }
        }
    }

    public void testTokenVectorsAreEachTokensMixedVectorAtUnitLength() throws Exception {
        String text = "Rivers flow to the sea.";
        IngestDocument document = run(processor(Map.of("token_vectors_field", "body_tokens")), Map.of("body", text));
        float[][] vectors = tokenVectors(document.getFieldValue("body_tokens", List.class));
        assertVectors(expectedTokenVectors(List.of(text)), vectors);
        assertEquals(1.0, org.apache.lucene.util.VectorUtil.dotProduct(vectors[2], vectors[2]), 1e-5);
        assertEquals(32, vector(document, "body_vector").size());
    }

    public void testAnArrayGivesTheTokenVectorsOfAllItsValuesInOrderUpToMaxTokens() throws Exception {
        List<String> values = List.of("Rivers flow to the sea.", "", "Mountains are tall and cold.");
        IngestDocument document = run(processor(Map.of("token_vectors_field", "tokens")), Map.of("body", values));
        List<float[]> expected = expectedTokenVectors(values);
        assertEquals(12, expected.size());
        assertVectors(expected, tokenVectors(document.getFieldValue("tokens", List.class)));

        document = run(processor(Map.of("token_vectors_field", "tokens", "max_tokens", 8)), Map.of("body", values));
        assertVectors(expected.subList(0, 8), tokenVectors(document.getFieldValue("tokens", List.class)));
    }

    @SuppressWarnings("unchecked")
    public void testPassagesCarryTheirOwnTokenVectors() throws Exception {
        String text = "The sun is a star. The moon orbits the earth. Tides follow the moon.";
        IngestDocument document = run(processor(Map.of("passages", Map.of("target_field", "passages", "max_tokens", 12,
                "overlap_tokens", 0, "token_vectors_field", "tokens"))), Map.of("body", text));
        List<Map<String, Object>> passages = document.getFieldValue("passages", List.class);
        for (Map<String, Object> passage : passages) {
            assertVectors(expectedTokenVectors(List.of((String) passage.get("text"))), tokenVectors(passage.get("tokens")));
        }
        assertFalse("no document-level token vectors unless asked", document.hasField("body_tokens"));
    }

    /** The fitted model's mixed token vectors of a text: the statistics' mix, as the processor embeds with them. */
    private static float[][] fittedMixedTokenVectors(String text) {
        var model = TinyModels.loaded(registry, "fitted");
        var options = model.resolve(org.elmosearch.node.EmbeddingSpec.NONE);
        assertEquals(TinyModels.STATISTICS_MIX, options.mix());
        return model.embedder().embed(List.of(text), options).get(0).tokenVectors();
    }

    private static void assertVector(float[] expected, List<Float> actual) {
        assertEquals(expected.length, actual.size());
        for (int d = 0; d < expected.length; d++) {
            assertEquals("dimension " + d, expected[d], actual.get(d), 1e-5f);
        }
    }

    @SuppressWarnings("unchecked")
    public void testWithTokenStatisticsDocumentsGetTheModelsRankingVectors() throws Exception {
        String text = "The sun is a star. Tides follow the moon.";
        var ranking = TinyModels.loaded(registry, "fitted").ranking();
        IngestDocument document = run(processor(Map.of("model_id", "fitted", "token_vectors_field", "body_tokens",
                "passages", Map.of("target_field", "passages", "max_tokens", 6, "overlap_tokens", 0, "token_vectors_field", "tokens"))),
                Map.of("body", text));
        float[][] mixed = fittedMixedTokenVectors(text);
        assertVector(ranking.pooledVector(mixed), vector(document, "body_vector"));
        assertVectors(List.of(ranking.tokenVectors(mixed)), tokenVectors(document.getFieldValue("body_tokens", List.class)));
        List<Map<String, Object>> passages = document.getFieldValue("passages", List.class);
        assertEquals(2, passages.size());
        for (Map<String, Object> passage : passages) {
            float[][] passageMixed = fittedMixedTokenVectors((String) passage.get("text"));
            assertVector(ranking.pooledVector(passageMixed), (List<Float>) passage.get("vector"));
            assertVectors(List.of(ranking.tokenVectors(passageMixed)), tokenVectors(passage.get("tokens")));
        }
        // Whitened vectors differ from the plain ones the same text gets from a model without statistics.
        float[][] plain = org.elmosearch.elmo.Pooling.l2NormalizedCopies(mixed);
        assertNotEquals(plain[0][0], tokenVectors(document.getFieldValue("body_tokens", List.class))[0][0], 1e-3f);
    }

    public void testWithTokenStatisticsAnArrayGetsTheRankingVectorOfAllItsTokens() throws Exception {
        List<String> values = List.of("Rivers flow to the sea.", "Mountains are tall and cold.");
        IngestDocument document = run(processor(Map.of("model_id", "fitted")), Map.of("body", values));
        List<float[]> mixed = new java.util.ArrayList<>();
        for (String value : values) {
            mixed.addAll(List.of(fittedMixedTokenVectors(value)));
        }
        assertVector(TinyModels.loaded(registry, "fitted").ranking().pooledVector(mixed.toArray(new float[0][])), vector(document, "body_vector"));
    }

    public void testNamingMixPoolingOrNormalizeOptsOutOfTheStatisticsForPlainVectors() throws Exception {
        String text = "Rivers flow to the sea.";
        var model = TinyModels.loaded(registry, "fitted");
        var plain = model.embedder().embed(List.of(text), model.resolve(new org.elmosearch.node.EmbeddingSpec(null, null, true, null))).get(0);
        assertEquals(org.elmosearch.elmo.ScalarMix.average(3), model.resolve(new org.elmosearch.node.EmbeddingSpec(null, null, true, null)).mix());
        IngestDocument document = run(processor(Map.of("model_id", "fitted", "normalize", true, "token_vectors_field", "body_tokens")),
                Map.of("body", text));
        assertVector(plain.vector(), vector(document, "body_vector"));
        assertVectors(List.of(org.elmosearch.elmo.Pooling.l2NormalizedCopies(plain.tokenVectors())),
                tokenVectors(document.getFieldValue("body_tokens", List.class)));
    }

    @SuppressWarnings("unchecked")
    public void testPassagesAreEmbeddedFromTheModelsTokensOfTheWholeText() throws Exception {
        // The whole text makes "No." one token, as a number follows; the first passage alone would end in "No" and ".".
        String text = "We read page No. 5 of the old book";
        IngestDocument document = run(processor(Map.of("passages", Map.of("target_field", "passages", "max_tokens", 4, "overlap_tokens", 0))),
                Map.of("body", text));
        List<Map<String, Object>> passages = document.getFieldValue("passages", List.class);
        assertEquals(List.of("We read page No.", "5 of the old", "book"), passages.stream().map(p -> p.get("text")).toList());
        var model = TinyModels.loaded(registry, "tiny");
        var options = model.resolve(new org.elmosearch.node.EmbeddingSpec(null, null, null, 4));
        List<org.elmosearch.analysis.Token> tokens = model.embedder().tokenizer().tokenize(text);
        float[] expected = model.embedder().embedTokenized(List.of(tokens.subList(0, 4)), options).get(0).vector();
        assertVector(expected, (List<Float>) passages.get(0).get("vector"));
    }

    @SuppressWarnings("unchecked")
    public void testPassagesOfAnArrayNameTheirValueAndSkipEmptyValues() throws Exception {
        List<String> values = List.of("The sun is a star.", "", "Tides follow the moon.");
        IngestDocument document = run(processor(Map.of("passages", Map.of("target_field", "passages", "max_tokens", 12, "overlap_tokens", 0))),
                Map.of("body", values));
        List<Map<String, Object>> passages = document.getFieldValue("passages", List.class);
        assertEquals(List.of("The sun is a star.", "Tides follow the moon."), passages.stream().map(p -> p.get("text")).toList());
        assertEquals(List.of(0, 2), passages.stream().map(p -> p.get("value")).toList());
        assertEquals(0, passages.get(1).get("offset"));
    }
}
