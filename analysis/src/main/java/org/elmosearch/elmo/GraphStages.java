package org.elmosearch.elmo;

/**
 * The stages of the ELMo graph. Every node is named {@code <stage>/<op>_<n>} (see {@link OnnxGraph#stage}), so that
 * ONNX Runtime's per-node profile can be summed by stage; LSTM layers are {@code lstm0}, {@code lstm1}, ...
 */
public final class GraphStages {

    public static final String CHAR_CNN = "char_cnn";
    public static final String HIGHWAY_PROJECTION = "highway_projection";
    /** Followed by the layer's index. */
    public static final String LSTM = "lstm";
    public static final String GATHER_OUTPUT = "gather_output";

    private GraphStages() {
    }
}
