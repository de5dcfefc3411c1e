package org.elmosearch.lucene;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddingOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ElmoRescorer} on hand-made 2-d vectors, spread over several segments. */
class ElmoRescorerTest {

    /** Per document, its vector, or null for a document without one; a null row also ends a segment. */
    private static final float[][] VECTORS = {{1, 0}, null, {0, 1}, {0.6f, 0.8f}, {-1, 0}};

    private static Directory directory;
    private static DirectoryReader reader;

    @BeforeAll
    static void index() throws IOException {
        directory = new ByteBuffersDirectory();
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE))) {
            for (float[] vector : VECTORS) {
                Document doc = new Document();
                if (vector != null) {
                    doc.add(new KnnFloatVectorField("vector", vector, ElmoVectors.SIMILARITY));
                }
                writer.addDocument(doc);
                if (vector == null) {
                    writer.commit();
                }
            }
        }
        reader = DirectoryReader.open(directory);
        assertTrue(reader.leaves().size() > 1);
    }

    @AfterAll
    static void close() throws IOException {
        reader.close();
        directory.close();
    }

    private static TopDocs firstPass() {
        // Out of doc order, as a real first pass would be: ordered by score.
        ScoreDoc[] hits = {new ScoreDoc(4, 5f), new ScoreDoc(1, 4f), new ScoreDoc(2, 3f), new ScoreDoc(0, 2f), new ScoreDoc(3, 1f)};
        return new TopDocs(new TotalHits(5, TotalHits.Relation.EQUAL_TO), hits);
    }

    @Test
    void scoresAreTheWeightedSumOfFirstPassScoreAndCosine() throws IOException {
        TopDocs rescored = new ElmoRescorer("vector", new float[]{1, 0}, 0.5f, 2f).rescore(new IndexSearcher(reader), firstPass(), 10);
        // doc: 0.5 * first pass + 2 * cosine with (1, 0); doc 1 has no vector, so no cosine term.
        float[] expected = {0.5f * 2 + 2, 0.5f * 4, 0.5f * 3 + 0, 0.5f * 1 + 2 * 0.6f, 0.5f * 5 - 2};
        assertArrayEquals(new int[]{0, 1, 3, 2, 4}, Arrays.stream(rescored.scoreDocs).mapToInt(h -> h.doc).toArray());
        for (ScoreDoc hit : rescored.scoreDocs) {
            assertEquals(expected[hit.doc], hit.score, 1e-6f, "doc " + hit.doc);
        }
        assertEquals(5, rescored.totalHits.value());
    }

    @Test
    void anyScoreModeCombinesTheTwoScores() throws IOException {
        ScoreCombination multiply = new ScoreCombination(ScoreMode.MULTIPLY, 1f, 1f);
        TopDocs rescored = new ElmoRescorer("vector", new float[]{1, 0}, multiply).rescore(new IndexSearcher(reader), firstPass(), 10);
        // doc: first pass * cosine with (1, 0); doc 1 has no vector and keeps its first-pass score.
        float[] expected = {2 * 1f, 4, 3 * 0f, 1 * 0.6f, 5 * -1f};
        assertArrayEquals(new int[]{1, 0, 3, 2, 4}, Arrays.stream(rescored.scoreDocs).mapToInt(h -> h.doc).toArray());
        for (ScoreDoc hit : rescored.scoreDocs) {
            assertEquals(expected[hit.doc], hit.score, 1e-6f, "doc " + hit.doc);
        }
    }

    @Test
    void keepsTheTopN() throws IOException {
        TopDocs rescored = new ElmoRescorer("vector", new float[]{0, 1}, 0f, 1f).rescore(new IndexSearcher(reader), firstPass(), 2);
        assertArrayEquals(new int[]{2, 3}, Arrays.stream(rescored.scoreDocs).mapToInt(h -> h.doc).toArray());
    }

    @Test
    void aQueryVectorOfAnotherDimensionIsRefused() {
        ElmoRescorer wrong = new ElmoRescorer("vector", new float[]{1, 0, 0}, 1f, 1f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.rescore(new IndexSearcher(reader), firstPass(), 5));
        assertTrue(e.getMessage().contains("dimension 2"), e.getMessage());
    }

    @Test
    void elmoVectorsNeedNormalizedOptions() {
        try (ElmoEncoder encoder = new ElmoEncoder(ElmoModel.fromWeights(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 1)), 1)) {
            ElmoEmbedder embedder = new ElmoEmbedder(encoder);
            EmbeddingOptions raw = EmbeddingOptions.defaults(encoder.options()).withNormalize(false);
            assertThrows(IllegalArgumentException.class, () -> new ElmoVectors(embedder, raw));
        }
    }
}
