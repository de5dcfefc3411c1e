package org.elmosearch.lucene;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
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
import org.elmosearch.embed.EmbeddingOptions;
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
 * Late interaction for a plain Lucene user: store each document's ELMo token vectors, then re-rank BM25 hits by
 * MaxSim, the sum over the query's tokens of the best cosine with any token of the document.
 *
 * <p>As in {@link LuceneExampleTest}, the model has random weights so that the test needs no download: only a
 * query with a document's own text is asserted, which finds every one of its tokens in that document (MaxSim =
 * its number of tokens). With real weights ({@code ElmoModel.fromBilm} or {@code fromOnnx}) the code is the same.
 */
class LateInteractionExampleTest {

    private static final List<String> TEXTS = List.of(
            "The river bank was muddy after the rain.",
            "She deposited the cheque at the bank on Monday.",
            "Bank, bank, bank: the bank of all banks.",
            "Fishing from the bank of a quiet river.",
            "");

    private static ElmoEncoder encoder;
    private static ElmoTokenVectors tokenVectors;
    private static Directory directory;
    private static DirectoryReader reader;

    @BeforeAll
    static void index() throws IOException {
        encoder = new ElmoEncoder(ElmoModel.fromWeights(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 11)), 1);
        // The average of all layers, at most 512 tokens per document, 4 bytes per dimension (Lucene's own format).
        tokenVectors = new ElmoTokenVectors(new ElmoEmbedder(encoder));
        directory = new ByteBuffersDirectory();
        index(directory, tokenVectors);
        reader = DirectoryReader.open(directory);
    }

    /** Writes TEXTS with their token vectors; without compound files, so that {@link IndexSize} can tell the parts. */
    private static void index(Directory directory, ElmoTokenVectors tokenVectors) throws IOException {
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(new StandardAnalyzer()).setUseCompoundFile(false))) {
            List<BinaryDocValuesField> fields = tokenVectors.fields("tokens", TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                Document doc = new Document();
                doc.add(new StoredField("id", i));
                doc.add(new TextField("text", TEXTS.get(i), Field.Store.NO));
                // A text without tokens has no token vectors: the document goes in without the field.
                if (fields.get(i) != null) {
                    doc.add(fields.get(i));
                }
                writer.addDocument(doc);
            }
        }
    }

    @AfterAll
    static void close() throws IOException {
        reader.close();
        directory.close();
        encoder.close();
    }

    @Test
    void rerankingBm25HitsByMaxSimLiftsTheDocumentWithTheQueryText() throws IOException {
        IndexSearcher searcher = new IndexSearcher(reader);
        String queryText = TEXTS.get(1);
        TopDocs firstPass = searcher.search(new TermQuery(new Term("text", "bank")), 10);
        assertEquals(2, id(searcher, firstPass.scoreDocs[0]));

        // REPLACE orders BM25's candidates by MaxSim alone. ScoreCombination.DEFAULT (total, weights 1 and 1)
        // adds the two as Elasticsearch's rescorer does; MaxSim grows with the query's length (at most one per
        // token), so tune the weights on your own queries.
        TopDocs reranked = tokenVectors.rerank(searcher, firstPass, "tokens", queryText, 3, ScoreCombination.REPLACE);
        ScoreDoc top = reranked.scoreDocs[0];
        assertEquals(1, id(searcher, top));
        int queryTokens = tokenVectors.vectors(queryText).length;
        assertEquals(10, queryTokens); // She deposited the cheque at the bank on Monday .
        assertEquals(queryTokens, top.score, 1e-4f);
        assertTrue(reranked.scoreDocs[1].score < top.score);

        MaxSimRescorer rescorer = tokenVectors.rescorer("tokens", queryText, ScoreCombination.REPLACE);
        Explanation explanation = rescorer.explain(searcher, searcher.explain(new TermQuery(new Term("text", "bank")), top.doc), top.doc);
        assertEquals(top.score, explanation.getValue().floatValue(), 0f);
    }

    @Test
    void storagePerTokenIsTheEncodingsSizeFromTheIndexFiles() throws IOException {
        List<float[][]> vectors = tokenVectors.vectors(TEXTS);
        int tokens = vectors.stream().mapToInt(v -> v.length).sum();
        long documents = vectors.stream().filter(v -> v.length > 0).count();
        for (TokenVectorEncoding encoding : TokenVectorEncoding.values()) {
            ElmoTokenVectors encoded = new ElmoTokenVectors(new ElmoEmbedder(encoder), EmbeddingOptions.defaults(encoder.options()), encoding);
            try (Directory dir = new ByteBuffersDirectory()) {
                index(dir, encoded);
                // The token vectors are the index's only doc values, stored uncompressed: the encoding's bytes per
                // token and a 4-byte header per document, beside a few hundred bytes of file headers and metadata
                // (which dominate here, at 40 tokens, and vanish per token in a real index).
                long payload = tokens * (long) encoding.bytesPerToken(tokenVectors.dimension()) + 4 * documents;
                long stored = IndexSize.of(dir).docValues();
                assertTrue(stored >= payload && stored < payload + 512, encoding + ": " + stored + " bytes for a payload of " + payload);
            }
        }
    }

    @Test
    void documentsKeepAtMostTheCapOfTokens() {
        EmbeddingOptions fourTokens = EmbeddingOptions.defaults(encoder.options()).withMaxTokens(4);
        ElmoTokenVectors capped = new ElmoTokenVectors(new ElmoEmbedder(encoder), fourTokens, TokenVectorEncoding.INT8);
        assertEquals(4, capped.vectors(TEXTS.get(0)).length);
        assertEquals(4, TokenVectorEncoding.decode(capped.field("tokens", TEXTS.get(0)).binaryValue()).length);
    }

    @Test
    void aTextWithoutTokensHasNoTokenVectors() {
        assertEquals(0, tokenVectors.vectors(" ").length);
        assertNull(tokenVectors.fields("tokens", List.of("")).get(0));
        assertThrows(IllegalArgumentException.class, () -> tokenVectors.field("tokens", ""));
        assertThrows(IllegalArgumentException.class, () -> tokenVectors.rescorer("tokens", " ", ScoreCombination.DEFAULT));
    }

    private static int id(IndexSearcher searcher, ScoreDoc hit) throws IOException {
        return searcher.storedFields().document(hit.doc).getField("id").numericValue().intValue();
    }
}
