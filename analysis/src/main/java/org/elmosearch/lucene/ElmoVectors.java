package org.elmosearch.lucene;

import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.rank.RankingVectors;
import org.elmosearch.rank.ScoreFusion;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ELMo text vectors for plain Lucene: {@link KnnFloatVectorField}s for documents, a {@link KnnFloatVectorQuery}
 * for a query text, and re-ranking of a first pass (e.g. BM25) by cosine similarity.
 *
 * <p>Vectors are scaled to unit length and indexed with {@link VectorSimilarityFunction#DOT_PRODUCT}: on unit
 * vectors it ranks exactly as cosine does, without dividing by two norms at every comparison. Lucene's kNN score
 * is then {@code (1 + cosine) / 2}, so a document with the query's own text scores 1.
 *
 * <p>Index and query with the same model and {@link EmbeddingOptions}: vectors of different models or mixes are
 * not comparable. Thread-safe.
 */
public final class ElmoVectors {

    public static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;

    private final ElmoEmbedder embedder;
    private final EmbeddingOptions options;
    /** Null without token statistics: the options' pooling then makes the vector. */
    private final RankingVectors ranking;

    /** With the embedder's defaults: the average of all layers, mean pooling, unit length. */
    public ElmoVectors(ElmoEmbedder embedder) {
        this(embedder, EmbeddingOptions.defaults(embedder.options()));
    }

    /** @param options must normalize: {@link #SIMILARITY} needs unit vectors */
    public ElmoVectors(ElmoEmbedder embedder, EmbeddingOptions options) {
        this(embedder, options, RankingVectors.defaults(null));
    }

    /**
     * @param ranking with a model's token statistics, vectors are the mean of the fitted layer mix's token vectors,
     *                transformed as {@link RankingVectors#pooledVector} says (the options' mix and pooling then do
     *                not apply)
     */
    public ElmoVectors(ElmoEmbedder embedder, EmbeddingOptions options, RankingVectors ranking) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.ranking = ranking.statistics() == null ? null : ranking;
        this.options = Objects.requireNonNull(options, "options").withMix(ranking.mix(options.mix()));
        if (!options.normalize()) {
            throw new IllegalArgumentException("ElmoVectors indexes with DOT_PRODUCT, which needs unit vectors: use options.withNormalize(true)");
        }
        this.options.mix().checkLayers(embedder.options().outputLayers());
        if (this.ranking != null) {
            this.ranking.statistics().checkFits(embedder.options());
        }
    }

    /** Width of the vectors: the vector field's dimension. */
    public int dimension() {
        return embedder.dimension();
    }

    /** The unit-length vector of {@code text}; it must have at least one token. */
    public float[] vector(String text) {
        float[] vector = vector(embedder.embed(List.of(text), options).get(0));
        if (vector == null) {
            throw new IllegalArgumentException("text has no tokens to embed: \"" + text + "\"");
        }
        return vector;
    }

    /** A vector field for one document; the text must have at least one token (see {@link #fields}). */
    public KnnFloatVectorField field(String name, String text) {
        return new KnnFloatVectorField(name, vector(text), SIMILARITY);
    }

    /**
     * Vector fields for many documents, embedded in batches: one per text, in order, and null for a text with no
     * tokens (empty or only spaces), which has no meaning to embed: index that document without the field.
     */
    public List<KnnFloatVectorField> fields(String name, List<String> texts) {
        List<KnnFloatVectorField> fields = new ArrayList<>(texts.size());
        for (EmbeddedText text : embedder.embed(texts, options)) {
            float[] vector = vector(text);
            fields.add(vector == null ? null : new KnnFloatVectorField(name, vector, SIMILARITY));
        }
        return fields;
    }

    /**
     * The vector of a text already embedded with this object's options (e.g. to make its pooled vector and its
     * token vectors from one run of the model); null when it has no tokens.
     */
    public float[] vector(EmbeddedText text) {
        return ranking == null ? text.vector() : ranking.pooledVector(text.tokenVectors());
    }

    /** The options texts are embedded with (the statistics' layer mix, if any, in place of the given one). */
    public EmbeddingOptions options() {
        return options;
    }

    /** The {@code k} documents whose vectors in {@code field} are nearest to the query text's. */
    public KnnFloatVectorQuery query(String field, String text, int k) {
        return new KnnFloatVectorQuery(field, vector(text), k);
    }

    /** As {@link #query(String, String, int)}, among the documents that match {@code filter} only. */
    public KnnFloatVectorQuery query(String field, String text, int k, Query filter) {
        return new KnnFloatVectorQuery(field, vector(text), k, filter);
    }

    /**
     * A rescorer that combines each first-pass score with the cosine between the query text and the document's
     * vector in {@code field}: {@code queryWeight * firstPassScore + rescoreWeight * cosine}.
     */
    public ElmoRescorer rescorer(String field, String queryText, float queryWeight, float rescoreWeight) {
        return new ElmoRescorer(field, vector(queryText), queryWeight, rescoreWeight);
    }

    /** As {@link #rescorer(String, String, float, float)}, with any {@link ScoreMode}. */
    public ElmoRescorer rescorer(String field, String queryText, ScoreCombination combination) {
        return new ElmoRescorer(field, vector(queryText), combination);
    }

    /**
     * A rescorer that fuses, within the window, each first-pass score with the cosine between the query text's
     * vector and the document's ({@link FusionRescorer}).
     */
    public FusionRescorer rescorer(String field, String queryText, ScoreFusion fusion) {
        return new FusionRescorer(new FullPrecisionFloatVectorSimilarityValuesSource(vector(queryText), field, SIMILARITY), fusion);
    }

    /** Re-ranks the first pass with {@link #rescorer} and keeps the best {@code topN}. */
    public TopDocs rerank(IndexSearcher searcher, TopDocs firstPass, String field, String queryText, int topN,
                          float queryWeight, float rescoreWeight) throws IOException {
        return rescorer(field, queryText, queryWeight, rescoreWeight).rescore(searcher, firstPass, topN);
    }
}
