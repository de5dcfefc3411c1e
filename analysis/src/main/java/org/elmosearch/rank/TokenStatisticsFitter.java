package org.elmosearch.rank;

import org.elmosearch.analysis.Token;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Accumulates {@link TokenStatistics} from a corpus: document frequencies from every text counted, the mean and
 * covariance of the mixed token vectors from the texts embedded (a sample is enough for a D x D covariance), in
 * double precision. Not thread-safe.
 */
public final class TokenStatisticsFitter {

    /**
     * Above this many distinct words, words seen in a single text are dropped from the stored frequencies: they
     * are most of a large vocabulary and score as an unseen word does, almost to the same IDF.
     */
    static final int MAX_VOCABULARY_WITH_SINGLETONS = 200_000;

    private final ScalarMix mix;
    private final int dimension;
    private final double[] sum;
    private final double[][] products;
    private final Map<String, Integer> documentFrequencies = new HashMap<>();
    private long texts;
    private long sampledTexts;
    private long sampledTokens;

    public TokenStatisticsFitter(ScalarMix mix, int dimension) {
        this.mix = Objects.requireNonNull(mix, "mix");
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        this.dimension = dimension;
        this.sum = new double[dimension];
        this.products = new double[dimension][];
        for (int r = 0; r < dimension; r++) {
            products[r] = new double[r + 1];
        }
    }

    /** A source of a corpus's texts that can be read more than once: {@link #fit} reads it twice. */
    public interface Corpus {
        /** The texts, in a stream the caller closes. */
        Stream<String> texts() throws IOException;
    }

    /** Texts embedded per run of the model while sampling. */
    static final int SAMPLE_BATCH = 64;

    /**
     * Fits statistics on a corpus in two passes: the first tokenizes every text for the document frequencies and
     * counts the tokens; the second embeds evenly spaced texts, the share of them that should hold about
     * {@code sampleTokens} tokens, into the mean and covariance.
     *
     * @param progress told what is done, now and then
     * @throws IllegalArgumentException when the corpus holds no text with tokens
     */
    public static TokenStatistics fit(ElmoEmbedder embedder, ScalarMix mix, Corpus corpus, long sampleTokens, double shrinkage,
                                      String corpusName, Consumer<String> progress) throws IOException {
        if (sampleTokens < 2) {
            throw new IllegalArgumentException("sample tokens must be >= 2, got " + sampleTokens);
        }
        TokenStatisticsFitter fitter = new TokenStatisticsFitter(mix.checkLayers(embedder.options().outputLayers()), embedder.dimension());
        EmbeddingOptions options = EmbeddingOptions.defaults(embedder.options()).withMix(mix);
        long corpusTokens = 0;
        // What embedding the texts would give: each is cut to max tokens, so the sample's share is counted so too.
        long embeddableTokens = 0;
        try (Stream<String> texts = corpus.texts()) {
            for (Iterator<String> it = texts.iterator(); it.hasNext(); ) {
                List<Token> tokens = embedder.tokenizer().tokenize(it.next());
                if (!tokens.isEmpty()) {
                    fitter.countText(tokens);
                    corpusTokens += tokens.size();
                    embeddableTokens += Math.min(tokens.size(), options.maxTokens());
                    if (fitter.texts() % 100_000 == 0) {
                        progress.accept(String.format(Locale.ROOT, "counted %,d texts (%,d tokens)", fitter.texts(), corpusTokens));
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (fitter.texts() == 0) {
            throw new IllegalArgumentException("corpus " + corpusName + " holds no text with words in it");
        }
        progress.accept(String.format(Locale.ROOT, "counted %,d texts (%,d tokens); embedding a sample of about %,d tokens",
                fitter.texts(), corpusTokens, Math.min(sampleTokens, embeddableTokens)));
        // The share of texts to embed: taking a text whenever the running share passes a whole number spreads the
        // sample evenly over the corpus, whatever its order.
        double share = Math.min(1.0, (double) sampleTokens / embeddableTokens);
        long reported = 0;
        try (Stream<String> texts = corpus.texts()) {
            List<String> batch = new ArrayList<>(SAMPLE_BATCH);
            double due = 1.0;
            for (Iterator<String> it = texts.iterator(); it.hasNext() && fitter.sampledTokens() < sampleTokens; ) {
                String text = it.next();
                if (text.isBlank()) {
                    continue;
                }
                due += share;
                if (due < 1.0) {
                    continue;
                }
                due -= 1.0;
                batch.add(text);
                if (batch.size() == SAMPLE_BATCH || !it.hasNext()) {
                    fitter.addEmbedded(embedder.embed(batch, options));
                    batch.clear();
                    if (fitter.sampledTokens() - reported >= 20_000) {
                        reported = fitter.sampledTokens();
                        progress.accept(String.format(Locale.ROOT, "embedded %,d of %,d sample tokens", fitter.sampledTokens(),
                                Math.min(sampleTokens, embeddableTokens)));
                    }
                }
            }
            if (!batch.isEmpty()) {
                fitter.addEmbedded(embedder.embed(batch, options));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (fitter.sampledTokens() < 2) {
            throw new IllegalArgumentException("corpus " + corpusName + " has fewer than two tokens to fit on");
        }
        progress.accept(String.format(Locale.ROOT, "embedded %,d sample tokens from %,d texts; fitting", fitter.sampledTokens(), fitter.sampledTexts));
        return fitter.fit(shrinkage, corpusName);
    }

    private void addEmbedded(List<EmbeddedText> texts) {
        for (EmbeddedText text : texts) {
            if (!text.isEmpty()) {
                addVectors(text.tokenVectors());
            }
        }
    }

    /** Counts the words of one text towards the document frequencies. */
    public void countText(List<Token> tokens) {
        texts++;
        Set<String> words = new HashSet<>();
        for (Token token : tokens) {
            words.add(token.text().toLowerCase(Locale.ROOT));
        }
        for (String word : words) {
            documentFrequencies.merge(word, 1, Integer::sum);
        }
    }

    /** Adds one embedded text's mixed token vectors to the mean and covariance. */
    public void addVectors(float[][] mixedTokenVectors) {
        sampledTexts++;
        for (float[] v : mixedTokenVectors) {
            if (v.length != dimension) {
                throw new IllegalArgumentException("token vector has " + v.length + " dimensions, expected " + dimension);
            }
            for (int r = 0; r < dimension; r++) {
                double x = v[r];
                sum[r] += x;
                double[] row = products[r];
                for (int c = 0; c <= r; c++) {
                    row[c] += x * v[c];
                }
            }
            sampledTokens++;
        }
    }

    public long sampledTokens() {
        return sampledTokens;
    }

    public long texts() {
        return texts;
    }

    /**
     * The statistics so far.
     *
     * @param shrinkage share of the average variance added to every variance before whitening, which keeps
     *                  directions with almost no variance in the sample from being blown up
     * @param corpus    where the text came from, recorded in the file
     */
    public TokenStatistics fit(double shrinkage, String corpus) {
        if (texts == 0 || sampledTokens < 2) {
            throw new IllegalStateException("no text to fit on: at least one text with two tokens is needed");
        }
        if (!(shrinkage >= 0)) {
            throw new IllegalArgumentException("shrinkage must be >= 0, got " + shrinkage);
        }
        int n = dimension;
        double[] mean = new double[n];
        for (int r = 0; r < n; r++) {
            mean[r] = sum[r] / sampledTokens;
        }
        double[][] covariance = new double[n][n];
        double trace = 0;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c <= r; c++) {
                covariance[r][c] = products[r][c] / sampledTokens - mean[r] * mean[c];
                covariance[c][r] = covariance[r][c];
            }
            trace += covariance[r][r];
        }
        // A floor of 1e-6 of the average variance keeps the factorization defined when tokens span fewer than n directions.
        double ridge = (shrinkage + 1e-6) * Math.max(trace / n, Double.MIN_NORMAL);
        for (int r = 0; r < n; r++) {
            covariance[r][r] += ridge;
        }
        float[] meanOut = new float[n];
        for (int r = 0; r < n; r++) {
            meanOut[r] = (float) mean[r];
        }
        Map<String, Integer> kept = documentFrequencies;
        if (documentFrequencies.size() > MAX_VOCABULARY_WITH_SINGLETONS) {
            kept = new HashMap<>();
            for (Map.Entry<String, Integer> e : documentFrequencies.entrySet()) {
                if (e.getValue() > 1) {
                    kept.put(e.getKey(), e.getValue());
                }
            }
        }
        return new TokenStatistics(mix, meanOut, inverseCholesky(covariance), kept, texts,
                new TokenStatistics.Source(corpus, texts, sampledTexts, sampledTokens, shrinkage));
    }

    /**
     * {@code L^-1} for the covariance {@code L L^T}: it whitens ({@code L^-1 C L^-T = I}). Any whitening matrix gives
     * the same cosines up to a rotation, so this one, the cheapest to compute, ranks as ZCA or PCA whitening would.
     */
    static float[][] inverseCholesky(double[][] covariance) {
        int n = covariance.length;
        double[][] lower = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = covariance[i][j];
                for (int k = 0; k < j; k++) {
                    s -= lower[i][k] * lower[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalStateException("token covariance is not positive definite at dimension " + i + ": raise the shrinkage");
                    }
                    lower[i][i] = Math.sqrt(s);
                } else {
                    lower[i][j] = s / lower[j][j];
                }
            }
        }
        float[][] inverse = new float[n][n];
        double[] column = new double[n];
        for (int c = 0; c < n; c++) {
            for (int i = c; i < n; i++) {
                double s = i == c ? 1 : 0;
                for (int k = c; k < i; k++) {
                    s -= lower[i][k] * column[k];
                }
                column[i] = s / lower[i][i];
                inverse[i][c] = (float) column[i];
            }
        }
        return inverse;
    }
}
