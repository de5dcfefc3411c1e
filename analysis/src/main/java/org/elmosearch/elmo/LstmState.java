package org.elmosearch.elmo;

/**
 * The biLSTM state between two calls: {@code h[layer][direction][sentence][P]} and
 * {@code c[layer][direction][sentence][C]}, direction 0 forward, 1 backward. Only needed to replay stateful
 * bilm-tf runs; search always starts from {@link #zeros}.
 */
public record LstmState(float[][][][] h, float[][][][] c) {

    public LstmState {
        if (h.length != c.length) {
            throw new IllegalArgumentException("state: h has " + h.length + " layers but c has " + c.length);
        }
    }

    public static LstmState zeros(ElmoOptions options, int batch) {
        return new LstmState(
                new float[options.lstmLayers()][2][batch][options.projectionDim()],
                new float[options.lstmLayers()][2][batch][options.cellDim()]);
    }

    public int batch() {
        return h[0][0].length;
    }

    /** Checks that the state fits a model with these options and a batch of {@code batch} sentences. */
    LstmState check(ElmoOptions options, int batch) {
        check("h", h, options.lstmLayers(), batch, options.projectionDim());
        check("c", c, options.lstmLayers(), batch, options.cellDim());
        return this;
    }

    private static void check(String name, float[][][][] x, int layers, int batch, int dim) {
        boolean ok = x.length == layers;
        for (int l = 0; ok && l < layers; l++) {
            ok = x[l].length == 2;
            for (int d = 0; ok && d < 2; d++) {
                ok = x[l][d].length == batch;
                for (int b = 0; ok && b < batch; b++) {
                    ok = x[l][d][b].length == dim;
                }
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("initial state " + name + " must be [" + layers + "][2][" + batch + "][" + dim + "]");
        }
    }
}
