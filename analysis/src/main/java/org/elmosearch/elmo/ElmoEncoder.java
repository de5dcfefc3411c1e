package org.elmosearch.elmo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an ELMo biLM in ONNX Runtime. Thread-safe: one encoder (one ONNX Runtime session) serves all threads.
 * Every call is stateless unless an initial state is passed: a sentence's vectors then depend neither on the
 * other sentences of the batch nor on padding.
 */
public final class ElmoEncoder implements AutoCloseable {

    private final ElmoOptions options;
    private final CharacterMapper mapper;
    private final OrtEnvironment environment;
    private final OrtSession session;

    public ElmoEncoder(ElmoModel model) {
        this(model, 0);
    }

    /**
     * @param model   the model
     * @param threads ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per core)
     */
    public ElmoEncoder(ElmoModel model, int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        this.options = model.options();
        this.mapper = new CharacterMapper(options.maxCharactersPerToken());
        this.environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
            sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            sessionOptions.setIntraOpNumThreads(threads);
            sessionOptions.setInterOpNumThreads(1);
            this.session = environment.createSession(model.onnxBytes(), sessionOptions);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load the ELMo graph: " + e.getMessage(), e);
        }
    }

    public ElmoOptions options() {
        return options;
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
        Map<String, float[]> out = run(sentences, initial, Set.of(ElmoGraphBuilder.LAYERS, ElmoGraphBuilder.FINAL_H, ElmoGraphBuilder.FINAL_C));
        int batch = sentences.size();
        int rows = rows(sentences);
        int layers = options.outputLayers();
        int dim = options.outputDim();
        float[] flat = out.get(ElmoGraphBuilder.LAYERS);
        List<float[][][]> perSentence = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int tokens = sentences.get(b).size();
            float[][][] sentence = new float[layers][tokens][];
            for (int k = 0; k < layers; k++) {
                for (int t = 0; t < tokens; t++) {
                    // +1: skip the <S> row.
                    int from = (((k * batch) + b) * rows + t + 1) * dim;
                    sentence[k][t] = java.util.Arrays.copyOfRange(flat, from, from + dim);
                }
            }
            perSentence.add(sentence);
        }
        LstmState state = new LstmState(
                unflatten(out.get(ElmoGraphBuilder.FINAL_H), batch, options.projectionDim()),
                unflatten(out.get(ElmoGraphBuilder.FINAL_C), batch, options.cellDim()));
        return new BiLmOutput(perSentence, state);
    }

    /**
     * Runs the graph on the sentences framed by {@code <S>}/{@code </S>} and right-padded to the longest, and
     * returns the requested outputs flat (row-major, rows = longest sentence + 2). For conformance checks of the
     * intermediate stages; search uses {@link #encode}.
     */
    public Map<String, float[]> run(List<List<String>> sentences, LstmState initial, Set<String> outputs) {
        int batch = sentences.size();
        int rows = rows(sentences);
        int width = options.maxCharactersPerToken();
        int[] ids = new int[batch * rows * width];
        for (int b = 0; b < batch; b++) {
            mapper.writeSentence(sentences.get(b), ids, b * rows);
        }
        LstmState state = initial == null ? LstmState.zeros(options, batch) : initial.check(options, batch);
        try (OnnxTensor charIds = OnnxTensor.createTensor(environment, IntBuffer.wrap(ids), new long[]{batch, rows, width});
             OnnxTensor h = OnnxTensor.createTensor(environment, FloatBuffer.wrap(flatten(state.h())),
                     new long[]{options.lstmLayers(), 2, batch, options.projectionDim()});
             OnnxTensor c = OnnxTensor.createTensor(environment, FloatBuffer.wrap(flatten(state.c())),
                     new long[]{options.lstmLayers(), 2, batch, options.cellDim()});
             OrtSession.Result result = session.run(
                     Map.of(ElmoGraphBuilder.CHAR_IDS, charIds, ElmoGraphBuilder.STATE_H, h, ElmoGraphBuilder.STATE_C, c), outputs)) {
            Map<String, float[]> values = new HashMap<>();
            for (String name : outputs) {
                FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
                float[] array = new float[buffer.remaining()];
                buffer.get(array);
                values.put(name, array);
            }
            return values;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the ELMo graph: " + e.getMessage(), e);
        }
    }

    /** Graph output names, for {@link #run}. */
    public static final String CHAR_CNN = ElmoGraphBuilder.CHAR_CNN;
    public static final String HIGHWAY = ElmoGraphBuilder.HIGHWAY;
    public static final String TOKEN_EMBEDDING = ElmoGraphBuilder.TOKEN_EMBEDDING;
    public static final String LAYERS = ElmoGraphBuilder.LAYERS;
    public static final String FINAL_H = ElmoGraphBuilder.FINAL_H;
    public static final String FINAL_C = ElmoGraphBuilder.FINAL_C;

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
                    out[l][d][b] = java.util.Arrays.copyOfRange(flat, i, i + dim);
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
}
