package org.elmosearch.elmo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an ELMo biLM in ONNX Runtime. Thread-safe: one encoder (one ONNX Runtime session) serves all threads.
 * Every call is stateless unless an initial state is passed: a sentence's vectors then depend neither on the
 * other sentences of the batch nor on padding.
 *
 * <p>The char CNN runs once per distinct token of a batch, and its vectors are kept in a bounded cache for later
 * batches (see {@link #tokenCacheStats()}).
 */
public final class ElmoEncoder implements AutoCloseable {

    /** Graph output names, for {@link #run}. */
    public static final String CHAR_CNN = ElmoGraphBuilder.CHAR_CNN;
    public static final String HIGHWAY = ElmoGraphBuilder.HIGHWAY;
    public static final String TOKEN_EMBEDDING = ElmoGraphBuilder.TOKEN_EMBEDDING;
    public static final String LAYERS = ElmoGraphBuilder.LAYERS;
    public static final String FINAL_H = ElmoGraphBuilder.FINAL_H;
    public static final String FINAL_C = ElmoGraphBuilder.FINAL_C;

    /** Default cache budget, in floats (32 MB): 2M tokens of the tiny model, 16k of the original. */
    static final int DEFAULT_CACHE_FLOATS = 1 << 23;
    static final int MAX_DEFAULT_CACHE_TOKENS = 100_000;

    private final ElmoOptions options;
    private final CharacterMapper mapper;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final TokenEmbeddingCache cache;
    private final int widestFilter;

    public ElmoEncoder(ElmoModel model) {
        this(model, 0);
    }

    /**
     * @param model   the model
     * @param threads ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per core)
     */
    public ElmoEncoder(ElmoModel model, int threads) {
        this(model, threads, defaultCacheTokens(model.options()));
    }

    /** The token cache size the short constructors use: 32 MB of vectors, at most 100,000 tokens. */
    public static int defaultCacheTokens(ElmoOptions options) {
        return Math.min(MAX_DEFAULT_CACHE_TOKENS, DEFAULT_CACHE_FLOATS / options.projectionDim());
    }

    /**
     * @param cacheTokens how many distinct tokens' char-CNN vectors to keep; 0 disables the cache
     */
    public ElmoEncoder(ElmoModel model, int threads, int cacheTokens) {
        this(model, threads, cacheTokens, sessionOptions -> { });
    }

    /**
     * As above; {@code sessionTuning} may change ONNX Runtime's session options after the encoder has set its own
     * (execution providers, profiling) before the session is made.
     */
    public ElmoEncoder(ElmoModel model, int threads, int cacheTokens, SessionTuning sessionTuning) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        this.options = model.options();
        this.mapper = new CharacterMapper(options.maxCharactersPerToken());
        this.cache = new TokenEmbeddingCache(cacheTokens);
        this.widestFilter = options.filters().stream().mapToInt(ElmoOptions.Filter::width).max().orElseThrow();
        this.environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
            sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            sessionOptions.setIntraOpNumThreads(threads);
            sessionOptions.setInterOpNumThreads(1);
            sessionTuning.apply(sessionOptions);
            this.session = environment.createSession(model.onnxBytes(), sessionOptions);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load the ELMo graph: " + e.getMessage(), e);
        }
    }

    public ElmoOptions options() {
        return options;
    }

    public TokenCacheStats tokenCacheStats() {
        return cache.stats();
    }

    /** The vectors of every layer for each sentence, from a zero state. */
    public BiLmOutput encode(List<List<String>> sentences) {
        return encode(sentences, null);
    }

    /** As {@link #encode(List)}, starting from {@code initial} (null for zeros), e.g. to replay a stateful run. */
    public BiLmOutput encode(List<List<String>> sentences, LstmState initial) {
        if (sentences.isEmpty()) {
            return new BiLmOutput(List.of(), initial == null ? LstmState.zeros(options, 0) : initial);
        }
        Batch batch = distinctTokens(sentences);
        Map<String, float[]> out = execute(batch, sentences, initial,
                Set.of(LAYERS, FINAL_H, FINAL_C, ElmoGraphBuilder.NEW_TOKEN_EMBEDDING));
        float[] fresh = out.get(ElmoGraphBuilder.NEW_TOKEN_EMBEDDING);
        int p = options.projectionDim();
        for (int i = 0; i < batch.freshTokens.size(); i++) {
            cache.put(batch.freshTokens.get(i), Arrays.copyOfRange(fresh, i * p, (i + 1) * p));
        }
        int size = sentences.size();
        int rows = rows(sentences);
        int layers = options.outputLayers();
        int dim = options.outputDim();
        float[] flat = out.get(LAYERS);
        List<float[][][]> perSentence = new ArrayList<>(size);
        for (int b = 0; b < size; b++) {
            int tokens = sentences.get(b).size();
            float[][][] sentence = new float[layers][tokens][];
            for (int k = 0; k < layers; k++) {
                for (int t = 0; t < tokens; t++) {
                    // +1: skip the <S> row.
                    int from = (((k * size) + b) * rows + t + 1) * dim;
                    sentence[k][t] = Arrays.copyOfRange(flat, from, from + dim);
                }
            }
            perSentence.add(sentence);
        }
        LstmState state = new LstmState(
                unflatten(out.get(FINAL_H), size, p),
                unflatten(out.get(FINAL_C), size, options.cellDim()));
        return new BiLmOutput(perSentence, state);
    }

    /**
     * Runs the graph with one char-CNN row per position (no sharing, no cache): sentences framed by
     * {@code <S>}/{@code </S>}, right-padded to the longest. Returns the requested outputs flat (row-major, rows =
     * longest sentence + 2; {@link #CHAR_CNN} and {@link #HIGHWAY} are {@code [batch * rows, F]}). For conformance
     * checks of the intermediate stages; search uses {@link #encode}.
     */
    public Map<String, float[]> run(List<List<String>> sentences, LstmState initial, Set<String> outputs) {
        int size = sentences.size();
        int rows = rows(sentences);
        int[] chars = new int[size * rows * options.maxCharactersPerToken()];
        long[] index = new long[size * rows];
        for (int b = 0; b < size; b++) {
            mapper.writeSentence(sentences.get(b), chars, b * rows);
        }
        Arrays.setAll(index, i -> i);
        return execute(new Batch(chars, size * rows, options.maxCharactersPerToken(), new float[0], 0, index, List.of()),
                sentences, initial, outputs);
    }

    /**
     * The inputs of one run: the char ids of the tokens whose embedding is computed, the embeddings already known,
     * and each position's row in the table [computed; known].
     */
    private record Batch(int[] freshChars, int freshCount, int charWidth, float[] known, int knownCount, long[] index,
                         List<String> freshTokens) {
    }

    private Batch distinctTokens(List<List<String>> sentences) {
        int rows = rows(sentences);
        int p = options.projectionDim();
        Map<String, Integer> slots = new HashMap<>();
        List<String> fresh = new ArrayList<>();
        List<float[]> known = new ArrayList<>();
        long[] index = new long[sentences.size() * rows];
        for (int b = 0; b < sentences.size(); b++) {
            List<String> sentence = sentences.get(b);
            for (int t = 0; t < sentence.size() + 2; t++) {
                String token = t == 0 ? CharacterMapper.BOS_TOKEN : t == sentence.size() + 1 ? CharacterMapper.EOS_TOKEN : sentence.get(t - 1);
                Integer slot = slots.get(token);
                if (slot == null) {
                    float[] cached = cache.get(token);
                    // Fresh tokens take slots 0, 1, ...; known ones -1, -2, ... until the fresh count is known.
                    if (cached == null) {
                        slot = fresh.size();
                        fresh.add(token);
                    } else {
                        known.add(cached);
                        slot = -known.size();
                    }
                    slots.put(token, slot);
                }
                index[b * rows + t] = slot;
            }
        }
        // The char CNN needs at least one row; a duplicate of <S> costs little and is never indexed.
        List<String> toCompute = fresh.isEmpty() ? List.of(CharacterMapper.BOS_TOKEN) : fresh;
        List<int[]> ids = toCompute.stream().map(mapper::tokenIds).toList();
        int width = charCnnWidth(ids);
        int[] chars = new int[ids.size() * width];
        for (int i = 0; i < ids.size(); i++) {
            System.arraycopy(ids.get(i), 0, chars, i * width, width);
        }
        float[] knownFlat = new float[known.size() * p];
        for (int k = 0; k < known.size(); k++) {
            System.arraycopy(known.get(k), 0, knownFlat, k * p, p);
        }
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0) {
                index[i] = toCompute.size() - index[i] - 1;
            }
        }
        return new Batch(chars, toCompute.size(), width, knownFlat, known.size(), index, fresh);
    }

    /**
     * How many character positions the char CNN reads in a run whose new tokens are these: every window that
     * touches a real id of the longest token, plus one of padding alone. Windows that lie wholly in the padding all
     * give the same value, so one stands for them all and the max over positions is exactly that over all
     * {@code max_characters_per_token} positions (the padding id has an embedding of its own, so that one window
     * must be there). Short words need a fraction of the 50 positions.
     */
    public int charCnnPositions(Collection<String> tokens) {
        return charCnnWidth(tokens.stream().map(mapper::tokenIds).toList());
    }

    private int charCnnWidth(List<int[]> tokenIds) {
        int longest = 0;
        for (int[] ids : tokenIds) {
            longest = Math.max(longest, CharacterMapper.framedLength(ids));
        }
        return Math.min(options.maxCharactersPerToken(), longest + widestFilter);
    }

    private Map<String, float[]> execute(Batch batch, List<List<String>> sentences, LstmState initial, Set<String> outputs) {
        int size = sentences.size();
        int rows = rows(sentences);
        byte[] mask = new byte[size * rows];
        for (int b = 0; b < size; b++) {
            Arrays.fill(mask, b * rows, b * rows + sentences.get(b).size() + 2, (byte) 1);
        }
        LstmState state = initial == null ? LstmState.zeros(options, size) : initial.check(options, size);
        List<OnnxTensor> inputs = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = new HashMap<>();
            feed.put(ElmoGraphBuilder.TOKEN_CHARS, track(inputs, OnnxTensor.createTensor(environment, IntBuffer.wrap(batch.freshChars()),
                    new long[]{batch.freshCount(), batch.charWidth()})));
            feed.put(ElmoGraphBuilder.CACHED_EMBEDDINGS, track(inputs, OnnxTensor.createTensor(environment, FloatBuffer.wrap(batch.known()),
                    new long[]{batch.knownCount(), options.projectionDim()})));
            feed.put(ElmoGraphBuilder.TOKEN_INDEX, track(inputs, OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.index()),
                    new long[]{size, rows})));
            feed.put(ElmoGraphBuilder.MASK, track(inputs, OnnxTensor.createTensor(environment, ByteBuffer.wrap(mask),
                    new long[]{size, rows}, ai.onnxruntime.OnnxJavaType.BOOL)));
            feed.put(ElmoGraphBuilder.STATE_H, track(inputs, OnnxTensor.createTensor(environment, FloatBuffer.wrap(flatten(state.h())),
                    new long[]{options.lstmLayers(), 2, size, options.projectionDim()})));
            feed.put(ElmoGraphBuilder.STATE_C, track(inputs, OnnxTensor.createTensor(environment, FloatBuffer.wrap(flatten(state.c())),
                    new long[]{options.lstmLayers(), 2, size, options.cellDim()})));
            try (OrtSession.Result result = session.run(feed, outputs)) {
                Map<String, float[]> values = new HashMap<>();
                for (String name : outputs) {
                    FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
                    float[] array = new float[buffer.remaining()];
                    buffer.get(array);
                    values.put(name, array);
                }
                return values;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the ELMo graph: " + e.getMessage(), e);
        } finally {
            inputs.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor track(List<OnnxTensor> open, OnnxTensor tensor) {
        open.add(tensor);
        return tensor;
    }

    /** Rows per sentence in a padded batch: the longest sentence plus its two markers. */
    public static int rows(List<List<String>> sentences) {
        return sentences.stream().mapToInt(List::size).max().orElse(0) + 2;
    }

    private static float[] flatten(float[][][][] x) {
        int n = 0;
        for (float[][][] a : x) for (float[][] b : a) for (float[] c : b) n += c.length;
        float[] out = new float[n];
        int i = 0;
        for (float[][][] a : x) for (float[][] b : a) for (float[] c : b) {
            System.arraycopy(c, 0, out, i, c.length);
            i += c.length;
        }
        return out;
    }

    private float[][][][] unflatten(float[] flat, int batch, int dim) {
        float[][][][] out = new float[options.lstmLayers()][2][batch][];
        int i = 0;
        for (int l = 0; l < options.lstmLayers(); l++) {
            for (int d = 0; d < 2; d++) {
                for (int b = 0; b < batch; b++) {
                    out[l][d][b] = Arrays.copyOfRange(flat, i, i + dim);
                    i += dim;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("could not close the ONNX Runtime session: " + e.getMessage(), e);
        }
    }

    /** A change to ONNX Runtime's session options, which may fail as ONNX Runtime's own setters do. */
    @FunctionalInterface
    public interface SessionTuning {
        void apply(OrtSession.SessionOptions sessionOptions) throws OrtException;
    }
}
