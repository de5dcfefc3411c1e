package org.elmosearch.elmo;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;

import java.util.ArrayList;
import java.util.List;

import static org.elmosearch.elmo.OnnxGraph.BOOL;
import static org.elmosearch.elmo.OnnxGraph.FLOAT;
import static org.elmosearch.elmo.OnnxGraph.INT32;
import static org.elmosearch.elmo.OnnxGraph.INT64;
import static org.elmosearch.elmo.OnnxGraph.attr;
import static org.elmosearch.elmo.OnnxGraph.ints;

/**
 * Builds the ONNX graph of an ELMo biLM from its weights.
 *
 * <p>The char CNN depends on a token's characters alone, so it runs once per distinct token rather than once per
 * position: {@code token_chars int32[tokens, W]} holds the distinct tokens not already known, their embeddings are
 * stacked over {@code cached_embeddings [cached, P]} (vectors the caller kept from earlier batches), and
 * {@code token_index int64[batch, time]} picks each position's row of that table. {@code mask bool[batch, time]}
 * marks the real rows (sentence markers included); {@code state_h [L, 2, batch, P]} and {@code state_c
 * [L, 2, batch, C]} are the initial states.
 *
 * <p>Outputs: {@code char_cnn}, {@code highway} and {@code new_token_embedding} per new token,
 * {@code token_embedding [batch, time, P]}, {@code layers [L+1, batch, time, 2P]} (padded rows 0), and the final
 * states.
 *
 * <p>Variable lengths are handled without sorting: the backward direction runs over each sentence reversed in
 * place ({@code ReverseSequence}), so both directions are a left-to-right recurrence over the same mask and run
 * together in one {@code Scan} per layer, the directions stacked as a leading axis of size 2. Past a sentence's
 * end the state is held and the output is 0, which keeps each sentence independent of the rest of the batch and
 * makes the final state the one after its last token. The input half of every LSTM gate is one MatMul over all
 * time steps before the Scan; the step itself only multiplies the previous output.
 */
final class ElmoGraphBuilder {

    static final int OPSET = 17;
    static final String TOKEN_CHARS = "token_chars";
    static final String CACHED_EMBEDDINGS = "cached_embeddings";
    static final String TOKEN_INDEX = "token_index";
    static final String MASK = "mask";
    static final String STATE_H = "state_h";
    static final String STATE_C = "state_c";
    static final String CHAR_CNN = "char_cnn";
    static final String HIGHWAY = "highway";
    static final String NEW_TOKEN_EMBEDDING = "new_token_embedding";
    static final String TOKEN_EMBEDDING = "token_embedding";
    static final String LAYERS = "layers";
    static final String FINAL_H = "final_h";
    static final String FINAL_C = "final_c";
    static final String OPTIONS_KEY = "elmo.options";
    static final String PARAMETERS_KEY = "elmo.parameters";
    static final String VERSION_KEY = "elmo.graph_version";
    static final String PRECISION_KEY = "elmo.weight_precision";
    /** Raised whenever the graph's inputs or outputs change, so that an older saved graph is refused clearly. */
    static final int GRAPH_VERSION = 3;

    private static final String BATCH = "batch";
    private static final String TIME = "time";
    private static final String TOKENS = "tokens";
    /** Initializers shared by the main graph and the Scan bodies: direction indices and the leading axis. */
    private static final String FORWARD = "forward";
    private static final String BACKWARD = "backward";
    private static final String FIRST_AXIS = "first_axis";

    private final ElmoWeights weights;
    private final ElmoOptions options;
    private final WeightPrecision precision;
    private final OnnxGraph g = new OnnxGraph("elmo", "");

    private ElmoGraphBuilder(ElmoWeights weights, WeightPrecision precision) {
        this.weights = weights;
        this.options = weights.options();
        this.precision = precision;
    }

    static ModelProto build(ElmoWeights weights, WeightPrecision precision) {
        return new ElmoGraphBuilder(weights, precision).model();
    }

    private ModelProto model() {
        int p = options.projectionDim();
        int c = options.cellDim();
        int layers = options.lstmLayers();
        // As many character positions as the longest new token needs (see ElmoEncoder), at most max_characters_per_token.
        g.input(TOKEN_CHARS, INT32, TOKENS, "characters");
        g.input(CACHED_EMBEDDINGS, FLOAT, "cached", p);
        g.input(TOKEN_INDEX, INT64, BATCH, TIME);
        g.input(MASK, BOOL, BATCH, TIME);
        g.input(STATE_H, FLOAT, layers, 2, BATCH, p);
        g.input(STATE_C, FLOAT, layers, 2, BATCH, c);

        g.stage(GraphStages.CHAR_CNN);
        String cnn = charCnn();
        g.stage(GraphStages.HIGHWAY_PROJECTION);
        String highway = highway(cnn);
        String newTokens = options.projectionDim() == options.filterTotal() && !weights.hasTokenProjection()
                ? highway
                : g.node("Add", List.of(g.node("MatMul", List.of(highway, tensor(ElmoWeights.PROJ_W))), tensor(ElmoWeights.PROJ_B)));
        g.identity(cnn, CHAR_CNN);
        g.identity(highway, HIGHWAY);
        g.identity(newTokens, NEW_TOKEN_EMBEDDING);
        g.stage(GraphStages.GATHER_OUTPUT);
        String table = g.node("Concat", List.of(newTokens, CACHED_EMBEDDINGS), attr("axis", 0));
        String tokenEmbedding = g.node("Gather", List.of(table, TOKEN_INDEX), attr("axis", 0));
        g.identity(tokenEmbedding, TOKEN_EMBEDDING);

        String mask = MASK;
        String lengths = g.node("ReduceSum", List.of(g.node("Cast", List.of(mask), attr("to", INT64)), g.longs("time_axis", 1)),
                attr("keepdims", 0));
        String floatMask = g.node("Unsqueeze", List.of(g.node("Cast", List.of(mask), attr("to", FLOAT)), g.longs("last_axis", 2)));

        List<String> outputs = new ArrayList<>();
        outputs.add(g.node("Mul", List.of(g.node("Concat", List.of(tokenEmbedding, tokenEmbedding), attr("axis", 2)), floatMask)));
        String forward = g.index(FORWARD, 0);
        String backward = g.index(BACKWARD, 1);
        String firstAxis = g.longs(FIRST_AXIS, 0);
        String input = g.node("Concat", List.of(
                g.node("Unsqueeze", List.of(tokenEmbedding, firstAxis)),
                g.node("Unsqueeze", List.of(reverse(tokenEmbedding, lengths), firstAxis))), attr("axis", 0));
        g.scalar("zero", 0f);
        List<String> finalH = new ArrayList<>();
        List<String> finalC = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            g.stage(GraphStages.LSTM + l);
            String[] scan = lstmLayer(l, input, mask);
            finalH.add(g.node("Unsqueeze", List.of(scan[0], firstAxis)));
            finalC.add(g.node("Unsqueeze", List.of(scan[1], firstAxis)));
            String output = options.skipConnections() && l > 0 ? g.node("Add", List.of(scan[2], input)) : scan[2];
            outputs.add(g.node("Concat", List.of(
                    g.node("Gather", List.of(output, forward), attr("axis", 0)),
                    reverse(g.node("Gather", List.of(output, backward), attr("axis", 0)), lengths)), attr("axis", 2)));
            input = output;
        }
        g.stage(GraphStages.GATHER_OUTPUT);
        List<String> stacked = outputs.stream().map(o -> g.node("Unsqueeze", List.of(o, firstAxis))).toList();
        g.identity(g.node("Concat", stacked, attr("axis", 0)), LAYERS);
        g.identity(g.node("Concat", finalH, attr("axis", 0)), FINAL_H);
        g.identity(g.node("Concat", finalC, attr("axis", 0)), FINAL_C);

        g.output(CHAR_CNN, FLOAT, TOKENS, options.filterTotal());
        g.output(HIGHWAY, FLOAT, TOKENS, options.filterTotal());
        g.output(NEW_TOKEN_EMBEDDING, FLOAT, TOKENS, p);
        g.output(TOKEN_EMBEDDING, FLOAT, BATCH, TIME, p);
        g.output(LAYERS, FLOAT, options.outputLayers(), BATCH, TIME, options.outputDim());
        g.output(FINAL_H, FLOAT, layers, 2, BATCH, p);
        g.output(FINAL_C, FLOAT, layers, 2, BATCH, c);

        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        if (precision == WeightPrecision.INT8) {
            model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(OnnxGraph.MICROSOFT_DOMAIN).setVersion(1));
        }
        return model
                .setProducerName("elmo-search")
                .setGraph(g.build())
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(OPTIONS_KEY).setValue(options.toJson()))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(VERSION_KEY).setValue(Integer.toString(GRAPH_VERSION)))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(PARAMETERS_KEY).setValue(Long.toString(weights.parameterCount())))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(PRECISION_KEY).setValue(precision.id()))
                .build();
    }

    /** {@code [tokens, F]}: the char CNN of each new token. */
    private String charCnn() {
        int dim = options.charEmbeddingDim();
        float[] source = weights.get(ElmoWeights.CHAR_EMBED).data();
        // Row 0 stays zero: it embeds the id of a padded (absent) character position.
        float[] table = new float[(ElmoWeights.CHAR_EMBED_ROWS + 1) * dim];
        System.arraycopy(source, 0, table, dim, source.length);
        String embedded = g.node("Gather", List.of(g.floats("char_table", table, ElmoWeights.CHAR_EMBED_ROWS + 1, dim), TOKEN_CHARS));
        String channels = g.node("Transpose", List.of(embedded), ints("perm", 0, 2, 1));
        List<String> banks = new ArrayList<>();
        for (int i = 0; i < options.filters().size(); i++) {
            ElmoOptions.Filter filter = options.filters().get(i);
            String conv = g.node("Conv", List.of(channels,
                    g.floats("cnn_w_" + i, convKernel(weights.get(ElmoWeights.cnnWeight(i)).data(), filter.width(), dim, filter.count()),
                            filter.count(), dim, filter.width()),
                    tensor(ElmoWeights.cnnBias(i))));
            String max = g.node("ReduceMax", List.of(conv), ints("axes", 2), attr("keepdims", 0));
            banks.add(g.node(options.activation() == ElmoOptions.Activation.RELU ? "Relu" : "Tanh", List.of(max)));
        }
        return banks.size() == 1 ? banks.get(0) : g.node("Concat", banks, attr("axis", 1));
    }

    /** TF's {@code [1, width, dim, count]} kernel as ONNX Conv's {@code [count, dim, width]}. */
    private static float[] convKernel(float[] tf, int width, int dim, int count) {
        float[] out = new float[tf.length];
        for (int k = 0; k < width; k++) {
            for (int e = 0; e < dim; e++) {
                for (int f = 0; f < count; f++) {
                    out[(f * dim + e) * width + k] = tf[(k * dim + e) * count + f];
                }
            }
        }
        return out;
    }

    /**
     * bilm-tf's highway layers, always ReLU: {@code s = sigmoid(x Wc + bc); y = s * relu(x Wt + bt) + (1 - s) * x},
     * the carry and transform products done as one MatMul.
     */
    private String highway(String x) {
        int f = options.filterTotal();
        String one = options.highwayLayers() > 0 ? g.scalar("one", 1f) : null;
        for (int k = 0; k < options.highwayLayers(); k++) {
            float[] carry = weights.get(ElmoWeights.highway(k, "W_carry")).data();
            float[] transform = weights.get(ElmoWeights.highway(k, "W_transform")).data();
            float[] both = new float[2 * f * f];
            for (int r = 0; r < f; r++) {
                System.arraycopy(carry, r * f, both, r * 2 * f, f);
                System.arraycopy(transform, r * f, both, r * 2 * f + f, f);
            }
            float[] bias = concat(weights.get(ElmoWeights.highway(k, "b_carry")).data(), weights.get(ElmoWeights.highway(k, "b_transform")).data());
            String z = g.node("Add", List.of(g.node("MatMul", List.of(x, g.floats("highway_w_" + k, both, f, 2 * f))),
                    g.floats("highway_b_" + k, bias, 2 * f)));
            String[] parts = g.nodes("Split", 2, List.of(z, g.longs("highway_split_" + k, f, f)), attr("axis", 1));
            String gate = g.node("Sigmoid", List.of(parts[0]));
            String transformed = g.node("Relu", List.of(parts[1]));
            x = g.node("Add", List.of(g.node("Mul", List.of(gate, transformed)),
                    g.node("Mul", List.of(g.node("Sub", List.of(one, gate)), x))));
        }
        return x;
    }

    /**
     * One biLSTM layer over {@code input [2, batch, time, P]} (backward half already reversed per sentence).
     * Returns the final h {@code [2, batch, P]}, final c {@code [2, batch, C]} and the outputs {@code [2, batch, time, P]}.
     */
    private String[] lstmLayer(int layer, String input, String mask) {
        int p = options.projectionDim();
        int c = options.cellDim();
        float[] inputKernel = new float[2 * p * 4 * c];
        float[] stateKernel = new float[2 * p * 4 * c];
        float[] bias = new float[2 * 4 * c];
        boolean projected = weights.hasCellProjection();
        float[] projection = projected ? new float[2 * c * p] : null;
        for (int d = 0; d < 2; d++) {
            float[] w0 = weights.get(ElmoWeights.lstm(d, layer, "W_0")).data();
            // W_0 stacks the kernel for x_t (first P rows) over the one for h_{t-1} (last P rows).
            System.arraycopy(w0, 0, inputKernel, d * p * 4 * c, p * 4 * c);
            System.arraycopy(w0, p * 4 * c, stateKernel, d * p * 4 * c, p * 4 * c);
            float[] b = weights.get(ElmoWeights.lstm(d, layer, "B")).data();
            System.arraycopy(b, 0, bias, d * 4 * c, 4 * c);
            // TF's LSTMCell adds forget_bias=1.0 at run time; gates are laid out i, j, f, o.
            for (int k = 2 * c; k < 3 * c; k++) {
                bias[d * 4 * c + k] += 1f;
            }
            if (projected) {
                System.arraycopy(weights.get(ElmoWeights.lstm(d, layer, "W_P_0")).data(), 0, projection, d * c * p, c * p);
            }
        }
        String prefix = "lstm" + layer + "_";
        // One GEMM of all batch * time rows per direction, rather than a small one per sentence.
        String rows = g.node("Reshape", List.of(input, g.longs(prefix + "rows", 2, -1, p)));
        String gates = g.node("Add", List.of(
                directionsMatMul(g, rows, prefix + "w_input", inputKernel, p, 4 * c),
                g.floats(prefix + "bias", bias, 2, 1, 4 * c)));
        String gatesShape = g.node("Concat", List.of(g.node("Shape", List.of(input), attr("start", 0), attr("end", 3)),
                g.longs(prefix + "gate_width", 4 * c)), attr("axis", 0));
        String gatesIn = g.node("Reshape", List.of(gates, gatesShape));
        String index = g.index(prefix + "index", layer);
        String h0 = g.node("Gather", List.of(STATE_H, index), attr("axis", 0));
        String c0 = g.node("Gather", List.of(STATE_C, index), attr("axis", 0));

        OnnxGraph body = new OnnxGraph(prefix + "step", prefix + "step_");
        String hPrev = body.input(prefix + "h_prev", FLOAT, 2, BATCH, p);
        String cPrev = body.input(prefix + "c_prev", FLOAT, 2, BATCH, c);
        String gatesT = body.input(prefix + "gates_t", FLOAT, 2, BATCH, 4 * c);
        String maskT = body.input(prefix + "mask_t", BOOL, BATCH);
        String z = body.node("Add", List.of(gatesT, directionsMatMul(body, hPrev, prefix + "w_state", stateKernel, p, 4 * c)));
        String[] ijfo = body.nodes("Split", 4, List.of(z, body.longs(prefix + "gate_split", c, c, c, c)), attr("axis", 2));
        String cell = body.node("Add", List.of(
                body.node("Mul", List.of(body.node("Sigmoid", List.of(ijfo[2])), cPrev)),
                body.node("Mul", List.of(body.node("Sigmoid", List.of(ijfo[0])), body.node("Tanh", List.of(ijfo[1]))))));
        if (options.hasCellClip()) {
            cell = clip(body, cell, options.cellClip(), prefix + "cell_clip");
        }
        String h = body.node("Mul", List.of(body.node("Sigmoid", List.of(ijfo[3])), body.node("Tanh", List.of(cell))));
        if (projected) {
            h = directionsMatMul(body, h, prefix + "w_proj", projection, c, p);
            // TF applies proj_clip only where the cell projects its output.
            if (options.hasProjClip()) {
                h = clip(body, h, options.projClip(), prefix + "proj_clip");
            }
        }
        String live = body.node("Unsqueeze", List.of(maskT, body.longs(prefix + "mask_axes", 0, 2)));
        body.identity(body.node("Where", List.of(live, h, hPrev)), prefix + "h_next");
        body.identity(body.node("Where", List.of(live, cell, cPrev)), prefix + "c_next");
        body.identity(body.node("Where", List.of(live, h, "zero")), prefix + "out_t");
        body.output(prefix + "h_next", FLOAT, 2, BATCH, p);
        body.output(prefix + "c_next", FLOAT, 2, BATCH, c);
        body.output(prefix + "out_t", FLOAT, 2, BATCH, p);

        AttributeProto[] scanAttributes = {
                attr("body", body.build()),
                attr("num_scan_inputs", 2),
                ints("scan_input_axes", 2, 1),
                ints("scan_output_axes", 2)};
        return g.nodes("Scan", 3, List.of(h0, c0, gatesIn, mask), scanAttributes);
    }

    /**
     * {@code x [.., K]} times the constant {@code weight [K, N]}, a node of {@code graph} (the main graph or a Scan
     * body) whose weights are initializers of the main graph.
     */
    /**
     * {@code x [.., K]} times the int8 form of the constant {@code weight [K, N]}, a node of {@code graph} (the main
     * graph or a Scan body) whose weights are initializers of the main graph.
     */
    private String quantizedMatMul(OnnxGraph graph, String x, String name, float[] weight, int k, int n) {
        QuantizedMatrix q = QuantizedMatrix.of(weight, k, n);
        return graph.node(OnnxGraph.MICROSOFT_DOMAIN, "DynamicQuantizeMatMul",
                List.of(x, g.int8s(name + "_int8", q.values(), k, n), g.floats(name + "_scale", q.scales(), n)));
    }

    /**
     * {@code x [2, .., K]} times {@code weights [2, K, N]}, one matrix per direction: the LSTM's products, which
     * are where {@link WeightPrecision#INT8} applies (the char CNN, highway and projection run once per distinct
     * token and are cached, so they stay float32 and the token embedding stays exact). In float32 one batched
     * MatMul; in int8 one product per direction, because ONNX Runtime prepacks only two-dimensional int8 weights
     * and would otherwise repack them on every call (every time step, in the Scan body).
     */
    private String directionsMatMul(OnnxGraph graph, String x, String name, float[] kernels, int k, int n) {
        if (precision == WeightPrecision.FLOAT32) {
            return graph.node("MatMul", List.of(x, g.floats(name, kernels, 2, k, n)));
        }
        List<String> directions = new ArrayList<>();
        for (int d = 0; d < 2; d++) {
            String rows = graph.node("Gather", List.of(x, d == 0 ? FORWARD : BACKWARD), attr("axis", 0));
            float[] weight = java.util.Arrays.copyOfRange(kernels, d * k * n, (d + 1) * k * n);
            directions.add(graph.node("Unsqueeze", List.of(quantizedMatMul(graph, rows, name + "_" + d, weight, k, n), FIRST_AXIS)));
        }
        return graph.node("Concat", directions, attr("axis", 0));
    }

    private static String clip(OnnxGraph graph, String x, float bound, String name) {
        return graph.node("Clip", List.of(x, graph.scalar(name + "_min", -bound), graph.scalar(name + "_max", bound)));
    }

    /** Reverses each sentence's first {@code lengths[b]} rows of {@code x [batch, time, D]}, leaving padding in place. */
    private String reverse(String x, String lengths) {
        return g.node("ReverseSequence", List.of(x, lengths), attr("batch_axis", 0), attr("time_axis", 1));
    }

    private String tensor(String name) {
        ElmoWeights.Tensor t = weights.get(name);
        return g.floats(name, t.data(), t.shape());
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
