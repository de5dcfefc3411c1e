package org.elmosearch.lucene;

import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.rank.RankingVectors;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.TokenStatistics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ELMo token vectors for late interaction in plain Lucene: one doc-values field per document holding the
 * contextual vector of each of its tokens (Lucene's {@code LateInteractionField} format, or its INT8 form), and a
 * {@link MaxSimRescorer} that re-ranks any first pass by MaxSim with the query's token vectors.
 *
 * <p>Every token vector is scaled to unit length, at index and at query time, so each dot product in MaxSim is a
 * cosine. With a model's {@link TokenStatistics} the vectors are first transformed ({@link RankingVectors}: taken
 * from the fitted layer mix, centered and whitened) and query tokens weighted by IDF. Documents keep at most {@code options.maxTokens()} tokens: the text is cut there before embedding, and
 * storage grows with it ({@link TokenVectorEncoding#bytesPerToken}). Only the options' layer mix and token cap
 * matter here; pooling is for single vectors ({@link ElmoVectors}). Index and query with the same model and
 * options. Thread-safe.
 */
public final class ElmoTokenVectors {

    private final ElmoEmbedder embedder;
    private final EmbeddingOptions options;
    private final TokenVectorEncoding encoding;
    private final RankingVectors ranking;

    /** With the embedder's defaults (the average of all layers, 512 tokens), stored as FLOAT32, no statistics. */
    public ElmoTokenVectors(ElmoEmbedder embedder) {
        this(embedder, EmbeddingOptions.defaults(embedder.options()), TokenVectorEncoding.FLOAT32);
    }

    public ElmoTokenVectors(ElmoEmbedder embedder, EmbeddingOptions options, TokenVectorEncoding encoding) {
        this(embedder, options, encoding, RankingVectors.defaults(null));
    }

    /**
     * @param ranking how vectors are transformed and query tokens weighted; its statistics' layer mix replaces the
     *                options' mix
     */
    public ElmoTokenVectors(ElmoEmbedder embedder, EmbeddingOptions options, TokenVectorEncoding encoding, RankingVectors ranking) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.ranking = Objects.requireNonNull(ranking, "ranking");
        this.options = options.withMix(ranking.mix(options.mix()));
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        this.options.mix().checkLayers(embedder.options().outputLayers());
        if (ranking.statistics() != null) {
            ranking.statistics().checkFits(embedder.options());
        }
    }

    /** Width of each token vector. */
    public int dimension() {
        return embedder.dimension();
    }

    /** The most tokens kept per text. */
    public int maxTokens() {
        return options.maxTokens();
    }

    /** The options texts are embedded with (the statistics' layer mix, if any, in place of the given one). */
    public EmbeddingOptions options() {
        return options;
    }

    public TokenVectorEncoding encoding() {
        return encoding;
    }

    /** The unit-length vector of each of the text's first {@link #maxTokens} tokens; none for a text without tokens. */
    public float[][] vectors(String text) {
        return vectors(List.of(text)).get(0);
    }

    /** As {@link #vectors(String)} for many texts, embedded in batches, in order. */
    public List<float[][]> vectors(List<String> texts) {
        return embedder.embed(texts, options).stream().map(this::rankingVectors).toList();
    }

    /** The token-vector field of one document; the text must have at least one token (see {@link #fields}). */
    public BinaryDocValuesField field(String name, String text) {
        float[][] vectors = vectors(text);
        if (vectors.length == 0) {
            throw new IllegalArgumentException("text has no tokens to embed: \"" + text + "\"");
        }
        return encoding.field(name, vectors);
    }

    /** Token-vector fields for many documents, in order; null for a text without tokens: index it without the field. */
    public List<BinaryDocValuesField> fields(String name, List<String> texts) {
        List<BinaryDocValuesField> fields = new ArrayList<>(texts.size());
        for (float[][] vectors : vectors(texts)) {
            fields.add(vectors.length == 0 ? null : encoding.field(name, vectors));
        }
        return fields;
    }

    /**
     * The token-vector field of a text already embedded with this object's options, e.g. to make its pooled vector
     * and its token vectors from one run of the model; null when it has no tokens.
     */
    public BinaryDocValuesField field(String name, EmbeddedText text) {
        return text.isEmpty() ? null : encoding.field(name, rankingVectors(text));
    }

    /** A rescorer that merges each first-pass score with the document's MaxSim against the query text. */
    public MaxSimRescorer rescorer(String field, String queryText, ScoreCombination combination) {
        return new MaxSimRescorer(maxSim(field, queryText), combination);
    }

    /**
     * A rescorer that fuses, within the window, each first-pass score with the document's MaxSim against the query
     * text: {@code fusion} normalizes both and adds them with its weights ({@link ScoreFusion#DEFAULT} is what the
     * project measured best).
     */
    public FusionRescorer rescorer(String field, String queryText, ScoreFusion fusion) {
        return new FusionRescorer(maxSim(field, queryText), fusion);
    }

    /** Each document's MaxSim with the query text, query tokens weighted as the ranking options say. */
    public MaxSimValuesSource maxSim(String field, String queryText) {
        EmbeddedText query = embedder.embed(List.of(queryText), options).get(0);
        if (query.isEmpty()) {
            throw new IllegalArgumentException("query has no tokens to embed: \"" + queryText + "\"");
        }
        return new MaxSimValuesSource(field, rankingVectors(query), ranking.queryWeights(query.tokens()));
    }

    /** Re-ranks the first pass with {@link #rescorer} and keeps the best {@code topN}. */
    public TopDocs rerank(IndexSearcher searcher, TopDocs firstPass, String field, String queryText, int topN,
                          ScoreCombination combination) throws IOException {
        return rescorer(field, queryText, combination).rescore(searcher, firstPass, topN);
    }

    private float[][] rankingVectors(EmbeddedText text) {
        return ranking.tokenVectors(text.tokenVectors());
    }
}
