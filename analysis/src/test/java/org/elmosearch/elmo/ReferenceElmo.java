package org.elmosearch.elmo;

import java.util.List;

/**
 * A deliberately naive ELMo forward pass: plain loops in double precision over the bilm-tf weights, one sentence
 * at a time from a zero state, written straight from the math of {@code elmo-fixtures/golden/README.md}. It shares
 * nothing with the ONNX graph but the {@link CharacterMapper} (itself checked id for id against the golden files),
 * so the two agreeing on a model neither has seen is evidence that the graph is right.
 */
final class ReferenceElmo {

    /**
     * Every stage for one sentence; all arrays have T+2 rows, the sentence markers included.
     *
     * @param layers {@code [L+1][T+2][2P]}: concat(token embedding, token embedding), then each biLSTM layer
     */
    record Output(double[][] charCnn, double[][] highway, double[][] tokenEmbedding, double[][][] layers) {
    }

    private final ElmoWeights weights;
    private final ElmoOptions options;
    private final CharacterMapper mapper;

    ReferenceElmo(ElmoWeights weights) {
        this.weights = weights;
        this.options = weights.options();
        this.mapper = new CharacterMapper(options.maxCharactersPerToken());
    }

    Output forward(List<String> tokens) {
        int rows = tokens.size() + 2;
        int width = options.maxCharactersPerToken();
        int[] ids = new int[rows * width];
        mapper.writeSentence(tokens, ids, 0);

        double[][] charCnn = new double[rows][];
        double[][] highway = new double[rows][];
        double[][] tokenEmbedding = new double[rows][];
        for (int t = 0; t < rows; t++) {
            charCnn[t] = charCnn(java.util.Arrays.copyOfRange(ids, t * width, (t + 1) * width));
            highway[t] = highway(charCnn[t]);
            tokenEmbedding[t] = weights.hasTokenProjection()
                    ? affine(highway[t], ElmoWeights.PROJ_W, ElmoWeights.PROJ_B)
                    : highway[t];
        }

        double[][][] layers = new double[options.outputLayers()][rows][];
        for (int t = 0; t < rows; t++) {
            layers[0][t] = concat(tokenEmbedding[t], tokenEmbedding[t]);
        }
        double[][] forwardInput = tokenEmbedding;
        double[][] backwardInput = tokenEmbedding;
        for (int l = 0; l < options.lstmLayers(); l++) {
            double[][] forward = lstm(forwardInput, 0, l);
            double[][] backward = lstm(backwardInput, 1, l);
            // bilm-tf wraps every cell but the first in a ResidualWrapper.
            if (options.skipConnections() && l > 0) {
                forward = add(forward, forwardInput);
                backward = add(backward, backwardInput);
            }
            for (int t = 0; t < rows; t++) {
                layers[l + 1][t] = concat(forward[t], backward[t]);
            }
            forwardInput = forward;
            backwardInput = backward;
        }
        return new Output(charCnn, highway, tokenEmbedding, layers);
    }

    /** One token's {@code [F]} char CNN features from its {@code width} character ids. */
    private double[] charCnn(int[] ids) {
        int dim = options.charEmbeddingDim();
        float[] table = weights.get(ElmoWeights.CHAR_EMBED).data();
        double[][] embedded = new double[ids.length][dim];
        for (int position = 0; position < ids.length; position++) {
            // The file has no row for id 0 (padding): a zero row is prepended, so id c reads file row c - 1.
            for (int e = 0; ids[position] > 0 && e < dim; e++) {
                embedded[position][e] = table[(ids[position] - 1) * dim + e];
            }
        }
        double[] features = new double[options.filterTotal()];
        int column = 0;
        for (int i = 0; i < options.filters().size(); i++) {
            int filterWidth = options.filters().get(i).width();
            int count = options.filters().get(i).count();
            float[] kernel = weights.get(ElmoWeights.cnnWeight(i)).data();
            float[] bias = weights.get(ElmoWeights.cnnBias(i)).data();
            for (int f = 0; f < count; f++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int start = 0; start + filterWidth <= ids.length; start++) {
                    double sum = bias[f];
                    for (int k = 0; k < filterWidth; k++) {
                        for (int e = 0; e < dim; e++) {
                            sum += embedded[start + k][e] * kernel[(k * dim + e) * count + f];
                        }
                    }
                    max = Math.max(max, sum);
                }
                features[column++] = options.activation() == ElmoOptions.Activation.RELU ? relu(max) : Math.tanh(max);
            }
        }
        return features;
    }

    /** bilm-tf's highway layers; their non-linearity is ReLU whatever the char CNN activation. */
    private double[] highway(double[] x) {
        for (int k = 0; k < options.highwayLayers(); k++) {
            double[] carry = affine(x, ElmoWeights.highway(k, "W_carry"), ElmoWeights.highway(k, "b_carry"));
            double[] transform = affine(x, ElmoWeights.highway(k, "W_transform"), ElmoWeights.highway(k, "b_transform"));
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double gate = sigmoid(carry[i]);
                y[i] = gate * relu(transform[i]) + (1 - gate) * x[i];
            }
            x = y;
        }
        return x;
    }

    /** One direction of one LSTM layer over all rows; the backward direction walks the rows from the end. */
    private double[][] lstm(double[][] input, int direction, int layer) {
        int cellDim = options.cellDim();
        boolean projected = weights.hasCellProjection();
        double[] h = new double[options.projectionDim()];
        double[] c = new double[cellDim];
        double[][] outputs = new double[input.length][];
        for (int step = 0; step < input.length; step++) {
            int t = direction == 0 ? step : input.length - 1 - step;
            double[] z = affine(concat(input[t], h), ElmoWeights.lstm(direction, layer, "W_0"), ElmoWeights.lstm(direction, layer, "B"));
            double[] m = new double[cellDim];
            for (int j = 0; j < cellDim; j++) {
                double inputGate = sigmoid(z[j]);
                double candidate = Math.tanh(z[cellDim + j]);
                // TF's LSTMCell adds forget_bias = 1.0 to the forget gate; the file's B does not include it.
                double forgetGate = sigmoid(z[2 * cellDim + j] + 1.0);
                double outputGate = sigmoid(z[3 * cellDim + j]);
                c[j] = clip(forgetGate * c[j] + inputGate * candidate, options.cellClip());
                m[j] = outputGate * Math.tanh(c[j]);
            }
            if (projected) {
                h = affine(m, ElmoWeights.lstm(direction, layer, "W_P_0"), null);
                // TF clips the output only where the cell projects it.
                for (int j = 0; j < h.length; j++) {
                    h[j] = clip(h[j], options.projClip());
                }
            } else {
                h = m;
            }
            outputs[t] = h;
        }
        return outputs;
    }

    /** {@code x @ W + b} with W in TF orientation {@code [in, out]}; {@code biasName} may be null. */
    private double[] affine(double[] x, String weightName, String biasName) {
        ElmoWeights.Tensor w = weights.get(weightName);
        int in = w.shape()[0];
        int out = w.shape()[1];
        if (x.length != in) {
            throw new IllegalArgumentException(weightName + " expects " + in + " inputs, got " + x.length);
        }
        double[] y = new double[out];
        float[] bias = biasName == null ? null : weights.get(biasName).data();
        for (int j = 0; j < out; j++) {
            double sum = bias == null ? 0 : bias[j];
            for (int i = 0; i < in; i++) {
                sum += x[i] * w.data()[i * out + j];
            }
            y[j] = sum;
        }
        return y;
    }

    /** Rows laid end to end as float32, to compare with a stored or computed float array. */
    static float[] flatten(double[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[rows.length * width];
        for (int t = 0; t < rows.length; t++) {
            for (int i = 0; i < width; i++) {
                out[t * width + i] = (float) rows[t][i];
            }
        }
        return out;
    }

    /** Clips to ±bound; a NaN bound means no clipping. */
    private static double clip(double x, float bound) {
        return Float.isNaN(bound) ? x : Math.max(-bound, Math.min(bound, x));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double relu(double x) {
        return Math.max(0, x);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] out = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            out[t] = new double[a[t].length];
            for (int i = 0; i < a[t].length; i++) {
                out[t][i] = a[t][i] + b[t][i];
            }
        }
        return out;
    }
}
