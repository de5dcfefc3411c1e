package org.elmosearch.lucene;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.embed.ElmoEmbedder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole path for a plain Lucene user: index text with ELMo vectors, search by vector, re-rank BM25 hits.
 *
 * <p>The model here has random weights so that the test needs no download; its vectors have the right shapes but
 * no meaning, so only exact-text matches are asserted. For real search, load published weights instead:
 * <pre>{@code
 * ElmoModel model = ElmoModel.fromBilm(Path.of("elmo_2x4096_512_2048cnn_2xhighway_options.json"),
 *                                      Path.of("elmo_2x4096_512_2048cnn_2xhighway_weights.hdf5"));
 * // or, converted once with `bin/elmo convert`, faster to load:
 * ElmoModel model = ElmoModel.fromOnnx(Path.of("elmo-original.onnx"));
 * }</pre>
 * Everything below stays the same.
 */
class LuceneExampleTest {

    private static final List<String> TEXTS = List.of(
            "The river bank was muddy after the rain.",
            "She deposited the cheque at the bank on Monday.",
            "Bank, bank, bank: the bank of all banks.",
            "Fishing from the bank of a quiet river.",
            "Stock markets fell sharply on Tuesday.",
            "");

    private static ElmoEncoder encoder;
    private static ElmoVectors vectors;
    private static Directory directory;
    private static DirectoryReader reader;

    @BeforeAll
    static void index() throws IOException {
        // One encoder (an ONNX Runtime session) per model and process: it is thread-safe and costly to create.
        encoder = new ElmoEncoder(ElmoModel.fromWeights(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 11)), 1);
        vectors = new ElmoVectors(new ElmoEmbedder(encoder));

        directory = new ByteBuffersDirectory();
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(new StandardAnalyzer()))) {
            // Embedding in batches is much faster than one text at a time.
            List<KnnFloatVectorField> vectorFields = vectors.fields("vector", TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                Document doc = new Document();
                doc.add(new StringField("id", Integer.toString(i), Field.Store.YES));
                doc.add(new TextField("text", TEXTS.get(i), Field.Store.YES));
                // A text without tokens has no vector: the document is indexed without the field.
                if (vectorFields.get(i) != null) {
                    doc.add(vectorFields.get(i));
                }
                writer.addDocument(doc);
            }
        }
        reader = DirectoryReader.open(directory);
    }

    @AfterAll
    static void close() throws IOException {
        reader.close();
        directory.close();
        encoder.close();
    }

    @Test
    void knnSearchWithADocumentsTextFindsThatDocumentFirstWithCosineOne() throws IOException {
        IndexSearcher searcher = new IndexSearcher(reader);
        TopDocs hits = searcher.search(vectors.query("vector", TEXTS.get(3), 3), 3);
        assertEquals("3", id(searcher, hits.scoreDocs[0]));
        // DOT_PRODUCT scores (1 + cosine) / 2: 1.0 for the same text.
        assertEquals(1.0f, hits.scoreDocs[0].score, 1e-5f);
        assertTrue(hits.scoreDocs[1].score < hits.scoreDocs[0].score);

        // The same, restricted to documents that match a filter query.
        TopDocs filtered = searcher.search(vectors.query("vector", TEXTS.get(3), 3, new TermQuery(new Term("text", "money"))), 3);
        assertEquals(0, filtered.scoreDocs.length);
    }

    @Test
    void rerankingBm25HitsByCosineLiftsTheDocumentWithTheQueryText() throws IOException {
        IndexSearcher searcher = new IndexSearcher(reader);
        String queryText = TEXTS.get(1);
        // First pass: BM25 prefers the document that repeats "bank".
        TopDocs firstPass = searcher.search(new TermQuery(new Term("text", "bank")), 10);
        assertEquals("2", id(searcher, firstPass.scoreDocs[0]));

        // Second pass: score = 0 * BM25 + 1 * cosine, i.e. the BM25 candidates ordered by ELMo similarity alone.
        // Random weights give every pair of texts a cosine near 0.99, so any weight on BM25 would drown the
        // differences here; with real weights, blend the two (e.g. 1 and 1) and tune on your own queries.
        TopDocs reranked = vectors.rerank(searcher, firstPass, "vector", queryText, 3, 0f, 1f);
        assertEquals(3, reranked.scoreDocs.length);
        ScoreDoc top = reranked.scoreDocs[0];
        assertEquals("1", id(searcher, top));
        assertEquals(1.0f, top.score, 1e-5f);

        // Lucene's Rescorer contract: explain() accounts for the rescored value.
        ElmoRescorer rescorer = vectors.rescorer("vector", queryText, 0f, 1f);
        Explanation explanation = rescorer.explain(searcher, searcher.explain(new TermQuery(new Term("text", "bank")), top.doc), top.doc);
        assertEquals(top.score, explanation.getValue().floatValue(), 0f);
    }

    @Test
    void aTextWithoutTokensHasNoVector() {
        assertNull(vectors.fields("vector", List.of(" ")).get(0));
        assertThrows(IllegalArgumentException.class, () -> vectors.query("vector", "", 3));
    }

    private static String id(IndexSearcher searcher, ScoreDoc hit) throws IOException {
        return searcher.storedFields().document(hit.doc).get("id");
    }
}
