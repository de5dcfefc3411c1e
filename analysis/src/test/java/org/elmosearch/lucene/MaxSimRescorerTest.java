package org.elmosearch.lucene;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.LateInteractionRescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.ScoreNormalization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MaxSim on hand-made 3-d token vectors whose right answer is known, stored both ways and spread over segments.
 * The query has two tokens, x = (1, 0, 0) and y = (0, 1, 0).
 */
class MaxSimRescorerTest {

    private static final float R = (float) Math.sqrt(0.5);
    private static final float[][] QUERY = {{1, 0, 0}, {0, 1, 0}};

    /** Per document, its token vectors, or null for a document without the field (which also ends a segment). */
    private static final float[][][] DOCS = {
            // 0: a token for each query token, and one unrelated: MaxSim 1 + 1 = 2.
            {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
            // 1: one token halfway between x and y, i.e. the query's mean: MaxSim R + R = 1.41.
            {{R, R, 0}},
            // 2: matches x strongly, twice, and nothing like y: MaxSim 1 + 0 = 1.
            {{1, 0, 0}, {1, 0, 0}, {0, 0, 1}},
            null,
            // 4: between the two, 0.6 x + 0.8 y: MaxSim 0.6 + 0.8 = 1.4.
            {{0.6f, 0.8f, 0}},
            // 5: opposite to x, orthogonal to y: MaxSim -1 + 0 = -1 (a negative best cosine counts as negative).
            {{-1, 0, 0}},
    };
    private static final float[] MAX_SIM = {2, 2 * R, 1, Float.NaN, 1.4f, -1};
    /** First-pass scores: the document that matches one token strongly comes first. */
    private static final float[] FIRST_PASS = {1, 4, 6, 5, 2, 3};

    private static final Directory[] directories = new Directory[TokenVectorEncoding.values().length];
    private static final DirectoryReader[] readers = new DirectoryReader[TokenVectorEncoding.values().length];

    @BeforeAll
    static void index() throws IOException {
        for (TokenVectorEncoding encoding : TokenVectorEncoding.values()) {
            Directory directory = new ByteBuffersDirectory();
            try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE))) {
                for (float[][] tokens : DOCS) {
                    Document doc = new Document();
                    if (tokens != null) {
                        doc.add(encoding.field("tokens", tokens));
                        doc.add(new KnnFloatVectorField("pooled", Pooling.l2Normalize(Pooling.MEAN.pool(tokens)), ElmoVectors.SIMILARITY));
                    }
                    writer.addDocument(doc);
                    if (tokens == null) {
                        writer.commit();
                    }
                }
            }
            directories[encoding.ordinal()] = directory;
            readers[encoding.ordinal()] = DirectoryReader.open(directory);
            assertTrue(readers[encoding.ordinal()].leaves().size() > 1);
        }
    }

    @AfterAll
    static void close() throws IOException {
        for (int i = 0; i < readers.length; i++) {
            readers[i].close();
            directories[i].close();
        }
    }

    private static IndexSearcher searcher(TokenVectorEncoding encoding) {
        return new IndexSearcher(readers[encoding.ordinal()]);
    }

    private static TopDocs firstPass() {
        ScoreDoc[] hits = new ScoreDoc[DOCS.length];
        for (int doc = 0; doc < hits.length; doc++) {
            hits[doc] = new ScoreDoc(doc, FIRST_PASS[doc]);
        }
        Arrays.sort(hits, ScoreDoc.COMPARATOR);
        return new TopDocs(new TotalHits(hits.length, TotalHits.Relation.EQUAL_TO), hits);
    }

    private static int[] order(TopDocs hits) {
        return Arrays.stream(hits.scoreDocs).mapToInt(h -> h.doc).toArray();
    }

    @ParameterizedTest
    @EnumSource(TokenVectorEncoding.class)
    void maxSimAloneRanksTheDocumentThatMatchesEveryQueryTokenFirst(TokenVectorEncoding encoding) throws IOException {
        TopDocs rescored = new MaxSimRescorer("tokens", QUERY, ScoreCombination.REPLACE).rescore(searcher(encoding), firstPass(), 10);
        // Doc 3 has no token vectors: it keeps its first-pass score, 5.
        assertArrayEquals(new int[]{3, 0, 1, 4, 2, 5}, order(rescored));
        for (ScoreDoc hit : rescored.scoreDocs) {
            float expected = hit.doc == 3 ? 5 : MAX_SIM[hit.doc];
            // INT8 stores these vectors exactly but for 0.6 and 0.8, which are off by less than half a step of 0.8/127.
            assertEquals(expected, hit.score, encoding == TokenVectorEncoding.FLOAT32 ? 1e-6f : 2e-3f, "doc " + hit.doc);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScoreNormalization.class, names = {"MIN_MAX", "Z_SCORE"})
    void fusionNormalizesBothScoresWithinTheWindowAndAddsThemWithWeights(ScoreNormalization normalization) throws IOException {
        ScoreFusion fusion = new ScoreFusion(normalization, 0.4f, 0.6f);
        TopDocs rescored = new FusionRescorer(new MaxSimValuesSource("tokens", QUERY), fusion).rescore(searcher(TokenVectorEncoding.FLOAT32),
                firstPass(), 10);
        // Computed apart from the rescorer: the window's two lists fused by the same arithmetic, doc 3 without MaxSim.
        float[] expected = fusion.fuse(FIRST_PASS, MAX_SIM);
        Integer[] byExpected = {0, 1, 2, 3, 4, 5};
        Arrays.sort(byExpected, (a, b) -> Float.compare(expected[b], expected[a]));
        assertArrayEquals(Arrays.stream(byExpected).mapToInt(Integer::intValue).toArray(), order(rescored));
        for (ScoreDoc hit : rescored.scoreDocs) {
            assertEquals(expected[hit.doc], hit.score, 1e-5f, "doc " + hit.doc);
        }
    }

    @Test
    void queryTokenWeightsDecideWhichMatchCountsMost() throws IOException {
        // x weighs three times y: doc 2, which holds only x, overtakes doc 4, which leans towards y.
        MaxSimValuesSource weighted = new MaxSimValuesSource("tokens", QUERY, new float[] {3, 1});
        TopDocs rescored = new MaxSimRescorer(weighted, ScoreCombination.REPLACE).rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 10);
        assertArrayEquals(new int[] {3, 0, 2, 1, 4, 5}, order(rescored));
        assertEquals(3 * 1 + 1 * 1, rescored.scoreDocs[1].score, 1e-6f);
        assertEquals(3 * 0.6f + 0.8f, MaxSimValuesSource.score(QUERY, new float[] {3, 1}, DOCS[4]), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new MaxSimValuesSource("tokens", QUERY, new float[] {1}));
    }

    @Test
    void cosineFusionReadsThePooledVectorField() throws IOException {
        float[] pooledQuery = Pooling.l2Normalize(Pooling.MEAN.pool(QUERY));
        FusionRescorer rescorer = new FusionRescorer(new FullPrecisionFloatVectorSimilarityValuesSource(pooledQuery, "pooled", ElmoVectors.SIMILARITY),
                new ScoreFusion(ScoreNormalization.MIN_MAX, 0f, 1f));
        TopDocs rescored = rescorer.rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 10);
        // ELMo weight alone: doc 1, the query's mean, first; doc 3 (no vector) counts as the lowest, tied with doc 5.
        assertEquals(1, rescored.scoreDocs[0].doc);
        assertEquals(1f, rescored.scoreDocs[0].score, 1e-6f);
        assertEquals(0f, rescored.scoreDocs[rescored.scoreDocs.length - 1].score, 1e-6f);
        Explanation explanation = rescorer.explain(searcher(TokenVectorEncoding.FLOAT32), Explanation.match(4f, "bm25"), 1);
        assertTrue(explanation.toString().contains("fused within the rescored window"), explanation.toString());
    }

    @Test
    void pooledVectorsPreferTheDocumentThatOnlyAveragesToTheQuery() throws IOException {
        // The contrast that motivates late interaction: by one pooled vector, doc 1 (a single token at the
        // query's mean) is a perfect match and doc 0 is not; MaxSim sees that doc 0 holds both query words.
        float[] pooledQuery = Pooling.l2Normalize(Pooling.MEAN.pool(QUERY));
        TopDocs knn = searcher(TokenVectorEncoding.FLOAT32).search(new KnnFloatVectorQuery("pooled", pooledQuery, 2), 2);
        assertEquals(1, knn.scoreDocs[0].doc);
        assertEquals(1f, knn.scoreDocs[0].score, 1e-6f);
        assertTrue(MaxSimValuesSource.score(QUERY, DOCS[0]) > MaxSimValuesSource.score(QUERY, DOCS[1]));
    }

    @Test
    void theFirstPassScoreAndMaxSimMergeByTheScoreMode() throws IOException {
        ScoreCombination total = new ScoreCombination(ScoreMode.TOTAL, 0.5f, 2f);
        TopDocs rescored = new MaxSimRescorer("tokens", QUERY, total).rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 3);
        // 0.5 * first pass + 2 * MaxSim: doc 0 0.5 + 4, doc 1 2 + 2.83, doc 2 3 + 2, doc 3 (no vectors) 2.5,
        // doc 4 1 + 2.8, doc 5 1.5 - 2; the top 3 kept.
        assertArrayEquals(new int[]{2, 1, 0}, order(rescored));
        assertEquals(3 + 2, rescored.scoreDocs[0].score, 1e-6f);
        assertEquals(2 + 4 * R, rescored.scoreDocs[1].score, 1e-6f);
        assertEquals(6, rescored.totalHits.value());

        ScoreCombination multiply = new ScoreCombination(ScoreMode.MULTIPLY, 1f, 1f);
        TopDocs multiplied = new MaxSimRescorer("tokens", QUERY, multiply).rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 10);
        assertArrayEquals(new int[]{2, 1, 3, 4, 0, 5}, order(multiplied));
    }

    @Test
    void explainAccountsForTheRescoredScore() throws IOException {
        MaxSimRescorer rescorer = new MaxSimRescorer("tokens", QUERY, new ScoreCombination(ScoreMode.AVG, 1f, 3f));
        TopDocs rescored = rescorer.rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 10);
        for (ScoreDoc hit : rescored.scoreDocs) {
            Explanation explanation = rescorer.explain(searcher(TokenVectorEncoding.FLOAT32),
                    Explanation.match(FIRST_PASS[hit.doc], "first pass"), hit.doc);
            assertEquals(hit.score, explanation.getValue().floatValue(), 1e-6f, "doc " + hit.doc);
        }
    }

    @Test
    void luceneOwnLateInteractionRescorerReadsTheFloat32FieldAndAgreesUpToItsScaling() throws IOException {
        // Lucene scores each best pair (1 + cosine) / 2, so its sum is (Q + MaxSim) / 2 for Q query tokens.
        TopDocs lucene = LateInteractionRescorer.create("tokens", QUERY, VectorSimilarityFunction.DOT_PRODUCT)
                .rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 10);
        for (ScoreDoc hit : lucene.scoreDocs) {
            float expected = hit.doc == 3 ? 0 : (QUERY.length + MAX_SIM[hit.doc]) / 2;
            assertEquals(expected, hit.score, 1e-6f, "doc " + hit.doc);
        }
    }

    @Test
    void queryVectorsOfAnotherDimensionAreRefused() {
        MaxSimRescorer wrong = new MaxSimRescorer("tokens", new float[][]{{1, 0}}, ScoreCombination.REPLACE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wrong.rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 5));
        assertTrue(e.getMessage().contains("dimension 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MaxSimValuesSource("tokens", new float[0][]));
        assertThrows(IllegalArgumentException.class, () -> new MaxSimValuesSource("tokens", new float[][]{{1, 0}, {1, 0, 0}}));
        assertThrows(IllegalArgumentException.class, () -> new MaxSimRescorer("tokens", QUERY, ScoreCombination.REPLACE)
                .rescore(searcher(TokenVectorEncoding.FLOAT32), firstPass(), 0));
    }
}
