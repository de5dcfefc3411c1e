package org.elmosearch.rank;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.elmosearch.analysis.Token;
import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.ScalarMix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@code elmo fit} learns from a collection's text, for ranking: the layer mix the token vectors are taken
 * from, their mean and a whitening matrix (so that the directions every token shares stop dominating cosines), and
 * each word's document frequency (so that rare query words weigh more in MaxSim). Stored as {@value #FILE_NAME} in
 * a model directory; the format is described in {@code docs/ranking.md}. Immutable and thread-safe.
 */
public final class TokenStatistics {

    public static final String FILE_NAME = "token-statistics.json";
    static final String FORMAT = "elmo-search token statistics";
    static final int VERSION = 1;

    /**
     * Where the statistics came from.
     *
     * @param corpus        the corpus path as given to {@code elmo fit}
     * @param texts         texts read (all count towards document frequencies)
     * @param sampledTexts  texts whose token vectors were embedded for the mean and whitening
     * @param sampledTokens token vectors in that sample
     * @param shrinkage     share of the average variance added to the covariance's diagonal before whitening
     */
    public record Source(String corpus, long texts, long sampledTexts, long sampledTokens, double shrinkage) {
    }

    private final ScalarMix mix;
    private final float[] mean;
    private final float[][] whitening;
    private final Map<String, Integer> documentFrequencies;
    private final long documents;
    private final Source source;

    /**
     * @param whitening           a D x D matrix W with {@code W (x - mean)} of identity covariance
     * @param documentFrequencies lower-cased word to the number of texts holding it
     * @param documents           texts counted for the frequencies
     */
    public TokenStatistics(ScalarMix mix, float[] mean, float[][] whitening, Map<String, Integer> documentFrequencies, long documents,
                           Source source) {
        this.mix = Objects.requireNonNull(mix, "mix");
        this.mean = mean.clone();
        this.source = Objects.requireNonNull(source, "source");
        if (mean.length == 0) {
            throw new IllegalArgumentException("statistics need a mean of at least one dimension");
        }
        if (whitening.length != mean.length) {
            throw new IllegalArgumentException("whitening matrix has " + whitening.length + " rows but the mean has " + mean.length + " dimensions");
        }
        this.whitening = new float[whitening.length][];
        for (int i = 0; i < whitening.length; i++) {
            if (whitening[i].length != mean.length) {
                throw new IllegalArgumentException("whitening matrix row " + i + " has " + whitening[i].length + " columns, expected " + mean.length);
            }
            this.whitening[i] = whitening[i].clone();
        }
        if (documents < 1) {
            throw new IllegalArgumentException("statistics need at least one document, got " + documents);
        }
        this.documentFrequencies = Map.copyOf(documentFrequencies);
        this.documents = documents;
    }

    /** Width of the token vectors these statistics describe. */
    public int dimension() {
        return mean.length;
    }

    /** The layer mix the statistics were fitted on; token vectors for ranking use it. */
    public ScalarMix mix() {
        return mix;
    }

    public Source source() {
        return source;
    }

    public long documents() {
        return documents;
    }

    /** Words with a recorded document frequency. */
    public int vocabularySize() {
        return documentFrequencies.size();
    }

    /** Texts holding the word (lower-cased), 0 for a word not seen. */
    public int documentFrequency(String word) {
        return documentFrequencies.getOrDefault(word.toLowerCase(Locale.ROOT), 0);
    }

    /** BM25's inverse document frequency, {@code ln(1 + (N - df + 0.5) / (df + 0.5))}: positive, largest for unseen words. */
    public double idf(String word) {
        int df = documentFrequency(word);
        return Math.log(1 + (documents - df + 0.5) / (df + 0.5));
    }

    /** Each token's IDF scaled so that the weights average 1: equal weights give MaxSim's plain sum. */
    public float[] idfWeights(List<Token> tokens) {
        float[] weights = new float[tokens.size()];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) idf(tokens.get(i).text());
            sum += weights[i];
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (weights[i] * weights.length / sum);
        }
        return weights;
    }

    /** {@code x - mean}, then whitened if asked, scaled to unit length: a new vector. */
    public float[] transform(float[] mixed, VectorTransform transform) {
        if (mixed.length != mean.length) {
            throw new IllegalArgumentException("vector has " + mixed.length + " dimensions but the statistics have " + mean.length);
        }
        float[] centered = new float[mean.length];
        if (transform == VectorTransform.NONE) {
            System.arraycopy(mixed, 0, centered, 0, mixed.length);
            return Pooling.l2Normalize(centered);
        }
        for (int d = 0; d < centered.length; d++) {
            centered[d] = mixed[d] - mean[d];
        }
        if (transform == VectorTransform.CENTER) {
            return Pooling.l2Normalize(centered);
        }
        float[] white = new float[mean.length];
        for (int r = 0; r < white.length; r++) {
            float[] row = whitening[r];
            double sum = 0;
            for (int c = 0; c < row.length; c++) {
                sum += row[c] * centered[c];
            }
            white[r] = (float) sum;
        }
        return Pooling.l2Normalize(white);
    }

    /** {@link #transform(float[], VectorTransform)} of each token vector. */
    public float[][] transform(float[][] mixed, VectorTransform transform) {
        float[][] out = new float[mixed.length][];
        for (int t = 0; t < out.length; t++) {
            out[t] = transform(mixed[t], transform);
        }
        return out;
    }

    /**
     * Checks that these statistics belong to a model of these options.
     *
     * @throws IllegalArgumentException naming both shapes when they do not
     */
    public TokenStatistics checkFits(ElmoOptions options) {
        if (options.outputDim() != mean.length) {
            throw new IllegalArgumentException(FILE_NAME + " describes " + mean.length + "-dimensional token vectors but the model makes "
                    + options.outputDim() + "-dimensional ones: fit it again for this model");
        }
        if (mix.weights().length != options.outputLayers()) {
            throw new IllegalArgumentException(FILE_NAME + " mixes " + mix.weights().length + " layers but the model has "
                    + options.outputLayers() + ": fit it again for this model");
        }
        return this;
    }

    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("dimension", mean.length);
        ArrayNode mixNode = root.putArray("mix");
        for (float w : mix.weights()) {
            mixNode.add(w);
        }
        root.put("mix_gamma", mix.gamma());
        ObjectNode sourceNode = root.putObject("source");
        sourceNode.put("corpus", source.corpus());
        sourceNode.put("texts", source.texts());
        sourceNode.put("sampled_texts", source.sampledTexts());
        sourceNode.put("sampled_tokens", source.sampledTokens());
        sourceNode.put("shrinkage", source.shrinkage());
        ArrayNode meanNode = root.putArray("mean");
        for (float m : mean) {
            meanNode.add(m);
        }
        ArrayNode rows = root.putArray("whitening");
        for (float[] row : whitening) {
            ArrayNode rowNode = rows.addArray();
            for (float w : row) {
                rowNode.add(w);
            }
        }
        root.put("documents", documents);
        ObjectNode frequencies = root.putObject("document_frequencies");
        new TreeMap<>(documentFrequencies).forEach(frequencies::put);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // Written beside, then moved over the old file, so that a fit stopped half way never leaves a damaged file.
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, json.writeValueAsString(root));
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @throws IOException naming the file when it is missing, damaged or of another format
     */
    public static TokenStatistics read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "token statistics not found");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": damaged token statistics, not valid JSON: " + e.getOriginalMessage(), e);
        }
        try {
            if (root == null || !FORMAT.equals(root.path("format").asText())) {
                throw new IllegalArgumentException("not a token statistics file (no \"format\": \"" + FORMAT + "\")");
            }
            if (root.path("version").asInt() != VERSION) {
                throw new IllegalArgumentException("version " + root.path("version") + " is not one this version of elmo-search reads ("
                        + VERSION + "): run elmo fit again");
            }
            int dimension = positive(root, "dimension");
            float[] mixWeights = floats(root.path("mix"), "mix", -1);
            float gamma = (float) number(root, "mix_gamma");
            float[] mean = floats(root.path("mean"), "mean", dimension);
            JsonNode rows = root.path("whitening");
            if (!rows.isArray() || rows.size() != dimension) {
                throw new IllegalArgumentException("\"whitening\" must hold " + dimension + " rows, found " + (rows.isArray() ? rows.size() : "none"));
            }
            float[][] whitening = new float[dimension][];
            for (int r = 0; r < dimension; r++) {
                whitening[r] = floats(rows.get(r), "whitening row " + r, dimension);
            }
            long documents = (long) number(root, "documents");
            JsonNode frequencies = root.path("document_frequencies");
            if (!frequencies.isObject()) {
                throw new IllegalArgumentException("\"document_frequencies\" must be an object of word to count");
            }
            if (documents < 1) {
                throw new IllegalArgumentException("\"documents\" must be at least 1, got " + documents);
            }
            Map<String, Integer> df = new HashMap<>(frequencies.size() * 2);
            frequencies.fields().forEachRemaining(e -> {
                if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 1 || e.getValue().asInt() > documents) {
                    throw new IllegalArgumentException("\"document_frequencies\" of \"" + e.getKey() + "\" must be a count from 1 to "
                            + documents + " (\"documents\"), got " + e.getValue());
                }
                df.put(e.getKey(), e.getValue().asInt());
            });
            JsonNode s = root.path("source");
            Source source = new Source(s.path("corpus").asText(""), s.path("texts").asLong(), s.path("sampled_texts").asLong(),
                    s.path("sampled_tokens").asLong(), s.path("shrinkage").asDouble());
            return new TokenStatistics(new ScalarMix(mixWeights, gamma), mean, whitening, df, documents, source);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": damaged token statistics: " + e.getMessage(), e);
        }
    }

    private static int positive(JsonNode root, String key) {
        double value = number(root, key);
        if (value < 1 || value != Math.rint(value)) {
            throw new IllegalArgumentException("\"" + key + "\" must be a positive whole number, got " + root.path(key));
        }
        return (int) value;
    }

    private static double number(JsonNode root, String key) {
        JsonNode node = root.path(key);
        if (!node.isNumber()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a number, got " + (node.isMissingNode() ? "nothing" : node));
        }
        return node.asDouble();
    }

    private static float[] floats(JsonNode node, String what, int expected) {
        if (node == null || !node.isArray() || (expected >= 0 && node.size() != expected) || node.isEmpty()) {
            throw new IllegalArgumentException("\"" + what + "\" must be an array of " + (expected >= 0 ? expected + " " : "") + "numbers, found "
                    + (node == null || !node.isArray() ? "none" : node.size()));
        }
        float[] out = new float[node.size()];
        for (int i = 0; i < out.length; i++) {
            if (!node.get(i).isNumber() || !Float.isFinite((float) node.get(i).asDouble())) {
                throw new IllegalArgumentException("\"" + what + "\" holds a value that is not a finite number at " + i);
            }
            out[i] = (float) node.get(i).asDouble();
        }
        return out;
    }
}
