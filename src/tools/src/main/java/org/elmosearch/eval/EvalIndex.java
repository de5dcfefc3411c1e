package org.elmosearch.eval;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.eval.BeirDataset.Passage;
import org.elmosearch.lucene.ElmoTokenVectors;
import org.elmosearch.lucene.ElmoVectors;
import org.elmosearch.lucene.IndexSize;
import org.elmosearch.lucene.TokenVectorEncoding;
import org.elmosearch.rank.RankingVectors;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A corpus indexed in memory for evaluation: the body for BM25 and, as the methods need them, each passage's
 * pooled vector and its token vectors, both from one run of the model per passage. Written without compound files
 * and merged to one segment, so that {@link #size} tells its parts apart and searches see one reader.
 */
public final class EvalIndex implements AutoCloseable {

    static final String BODY = "body";
    static final String VECTOR = "vector";
    static final String TOKENS = "tokens";
    private static final String ID = "id";
    /** Passages embedded per call: bounds the token vectors held in memory at once. */
    private static final int EMBED_CHUNK = 256;

    /**
     * What building took and what it made.
     *
     * @param passages      documents indexed
     * @param tokens        token vectors stored (0 without them)
     * @param tokenEncoding how they are stored
     * @param embedSeconds  running the model over the corpus (0 without vectors)
     * @param writeSeconds  writing, merging and opening the Lucene index
     * @param size          the index files by kind
     */
    public record Summary(int passages, long tokens, TokenVectorEncoding tokenEncoding, double embedSeconds, double writeSeconds,
                          IndexSize size) {

        /** Bytes of all but the vectors: postings, norms, stored ids and the files' bookkeeping. */
        public long textBytes() {
            return size.total() - size.knnVectors() - size.docValues();
        }

        /** Bytes per stored token vector, file overhead included; NaN without them. */
        public double bytesPerToken() {
            return tokens == 0 ? Double.NaN : (double) size.docValues() / tokens;
        }
    }

    private final Analyzer analyzer;
    private final Directory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final String[] passageIds;
    private final Summary summary;
    private final RankingVectors ranking;
    private final ElmoVectors vectors;
    private final ElmoTokenVectors tokenVectors;

    private EvalIndex(Analyzer analyzer, Directory directory, DirectoryReader reader, Summary summary, RankingVectors ranking,
                      ElmoVectors vectors, ElmoTokenVectors tokenVectors) throws IOException {
        this.analyzer = analyzer;
        this.directory = directory;
        this.reader = reader;
        this.summary = summary;
        this.ranking = ranking;
        this.vectors = vectors;
        this.tokenVectors = tokenVectors;
        this.searcher = new IndexSearcher(reader);
        this.passageIds = new String[reader.maxDoc()];
        StoredFields stored = reader.storedFields();
        for (int doc = 0; doc < passageIds.length; doc++) {
            passageIds[doc] = stored.document(doc).get(ID);
        }
    }

    /**
     * Indexes the corpus; {@code embedder} may be null when neither kind of vector is wanted. Vectors use the
     * embedder's default options with the ranking's layer mix and transform, through the {@link ElmoVectors} and
     * {@link ElmoTokenVectors} that {@link #vectors()} and {@link #tokenVectors()} return for the queries.
     *
     * @param ranking       how vectors are transformed and query tokens weighted (ignored without vectors)
     * @param tokenEncoding how token vectors are stored, when {@code tokenVectors}
     */
    public static EvalIndex build(List<Passage> corpus, ElmoEmbedder embedder, RankingVectors ranking, boolean pooledVectors,
                                  boolean tokenVectors, TokenVectorEncoding tokenEncoding, Consumer<String> progress) throws IOException {
        boolean embedding = pooledVectors || tokenVectors;
        if (embedding && embedder == null) {
            throw new IllegalArgumentException("vectors need a model");
        }
        Analyzer analyzer = new EnglishAnalyzer();
        Directory directory = new ByteBuffersDirectory();
        TieredMergePolicy mergePolicy = new TieredMergePolicy();
        mergePolicy.setNoCFSRatio(0);
        IndexWriterConfig config = new IndexWriterConfig(analyzer).setUseCompoundFile(false).setMergePolicy(mergePolicy)
                .setRAMBufferSizeMB(256);
        long start = System.nanoTime();
        long embedNanos = 0;
        long tokens = 0;
        EmbeddingOptions defaults = embedding ? EmbeddingOptions.defaults(embedder.options()) : null;
        ElmoVectors pooledFields = pooledVectors ? new ElmoVectors(embedder, defaults, ranking) : null;
        ElmoTokenVectors tokenFields = tokenVectors ? new ElmoTokenVectors(embedder, defaults, tokenEncoding, ranking) : null;
        // Both helpers embed with the same options, so one run of the model serves both kinds of vector.
        EmbeddingOptions options = pooledFields != null ? pooledFields.options() : tokenFields != null ? tokenFields.options() : null;
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (int from = 0; from < corpus.size(); from += EMBED_CHUNK) {
                List<Passage> chunk = corpus.subList(from, Math.min(corpus.size(), from + EMBED_CHUNK));
                List<EmbeddedText> embedded = null;
                if (embedding) {
                    long embedStart = System.nanoTime();
                    embedded = embedder.embed(chunk.stream().map(Passage::body).toList(), options);
                    embedNanos += System.nanoTime() - embedStart;
                }
                for (int i = 0; i < chunk.size(); i++) {
                    Document doc = new Document();
                    doc.add(new StoredField(ID, chunk.get(i).id()));
                    doc.add(new TextField(BODY, chunk.get(i).body(), Field.Store.NO));
                    EmbeddedText text = embedded == null ? null : embedded.get(i);
                    float[] vector = pooledFields == null ? null : pooledFields.vector(text);
                    if (vector != null) {
                        doc.add(new KnnFloatVectorField(VECTOR, vector, ElmoVectors.SIMILARITY));
                    }
                    BinaryDocValuesField field = tokenFields == null ? null : tokenFields.field(TOKENS, text);
                    if (field != null) {
                        doc.add(field);
                        tokens += text.tokens().size();
                    }
                    writer.addDocument(doc);
                }
                if (embedding) {
                    progress.accept(String.format("embedded %,d of %,d passages", from + chunk.size(), corpus.size()));
                }
            }
            writer.forceMerge(1);
        }
        DirectoryReader reader = DirectoryReader.open(directory);
        double writeSeconds = (System.nanoTime() - start - embedNanos) / 1e9;
        Summary summary = new Summary(corpus.size(), tokens, tokenEncoding, embedNanos / 1e9, writeSeconds, IndexSize.of(directory));
        return new EvalIndex(analyzer, directory, reader, summary, ranking, pooledFields, tokenFields);
    }

    public Summary summary() {
        return summary;
    }

    /** How the index's vectors were transformed, and how queries are weighted and fused against them. */
    public RankingVectors ranking() {
        return ranking;
    }

    /** The pooled-vector helper the passages were indexed with, or null without pooled vectors. */
    ElmoVectors vectors() {
        return vectors;
    }

    /** The token-vector helper the passages were indexed with, or null without token vectors. */
    ElmoTokenVectors tokenVectors() {
        return tokenVectors;
    }

    IndexSearcher searcher() {
        return searcher;
    }

    Analyzer analyzer() {
        return analyzer;
    }

    String passageId(int doc) {
        return passageIds[doc];
    }

    @Override
    public void close() throws IOException {
        reader.close();
        directory.close();
        analyzer.close();
    }
}
