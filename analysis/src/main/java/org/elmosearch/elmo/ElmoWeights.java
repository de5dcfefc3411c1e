package org.elmosearch.elmo;

import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.exceptions.HdfInvalidPathException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of a bilm-tf {@code weights.hdf5}, read and checked against the options: every dataset the
 * architecture needs must be present with the shape the options imply. Layouts are bilm-tf's (TF orientation,
 * {@code x @ W}); the graph builder adapts them.
 */
public final class ElmoWeights {

    /** A dense float32 array, row-major. */
    public record Tensor(float[] data, int[] shape) {
        public Tensor {
            if (Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) != data.length) {
                throw new IllegalArgumentException("tensor data of length " + data.length + " does not fit shape " + Arrays.toString(shape));
            }
        }
    }

    public static final String CHAR_EMBED = "char_embed";
    /** Rows of {@code char_embed}: 256 bytes and 5 markers; the padding id 0 gets a zero row added on load. */
    public static final int CHAR_EMBED_ROWS = 261;

    private final ElmoOptions options;
    private final Map<String, Tensor> tensors;

    private ElmoWeights(ElmoOptions options, Map<String, Tensor> tensors) {
        this.options = options;
        this.tensors = tensors;
    }

    public ElmoOptions options() {
        return options;
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("no dataset " + name);
        }
        return t;
    }

    /** Dataset names, in the order the options list them. */
    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(tensors.keySet());
    }

    /** Every dataset by name, in the order the options list them. */
    public Map<String, Tensor> tensors() {
        return java.util.Collections.unmodifiableMap(tensors);
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public long parameterCount() {
        return tensors.values().stream().mapToLong(t -> t.data().length).sum();
    }

    public static String cnnWeight(int i) {
        return "CNN/W_cnn_" + i;
    }

    public static String cnnBias(int i) {
        return "CNN/b_cnn_" + i;
    }

    public static String highway(int k, String part) {
        return "CNN_high_" + k + "/" + part;
    }

    public static final String PROJ_W = "CNN_proj/W_proj";
    public static final String PROJ_B = "CNN_proj/b_proj";

    /** A dataset of LSTM cell {@code layer} in {@code direction} (0 forward, 1 backward): W_0, B or W_P_0. */
    public static String lstm(int direction, int layer, String part) {
        return "RNN_" + direction + "/RNN/MultiRNNCell/Cell" + layer + "/LSTMCell/" + part;
    }

    /** Whether the char CNN output (F) is projected to P; bilm-tf leaves the projection out when F == P. */
    public boolean hasTokenProjection() {
        return has(PROJ_W);
    }

    /** Whether the LSTM cells project their output; bilm-tf leaves it out when P == C. */
    public boolean hasCellProjection() {
        return has(lstm(0, 0, "W_P_0"));
    }

    public static ElmoWeights read(ElmoOptions options, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "ELMo weights file not found");
        }
        try (HdfFile hdf = new HdfFile(file)) {
            requireComplete(hdf, file);
            return fromHdf(options, hdf, file.toString());
        } catch (HdfException e) {
            throw new IOException(file + ": not a readable HDF5 file: " + e.getMessage(), e);
        }
    }

    /**
     * Rejects a file shorter than its superblock says, as the HDF5 library does ("truncated file"). jhdf opens such a
     * file, and the dataset stored last, cut short, can read without an error as garbage.
     */
    private static void requireComplete(HdfFile hdf, Path file) throws IOException {
        Superblock superblock = hdf.getHdfBackingStorage().getSuperblock();
        long expected = superblock.getBaseAddressByte() + superblock.getEndOfFileAddress();
        if (hdf.size() < expected) {
            throw new IOException(file + ": truncated HDF5 file: " + hdf.size() + " bytes where its superblock says "
                    + expected + " (an interrupted download or copy?)");
        }
    }

    /** Builds weights from tensors already in memory (for synthetic models and tests); shapes are checked. */
    public static ElmoWeights of(ElmoOptions options, Map<String, Tensor> tensors) {
        Map<String, Tensor> checked = new LinkedHashMap<>();
        for (Expected e : expected(options, tensors::containsKey)) {
            Tensor t = tensors.get(e.name());
            if (t == null) {
                throw missing(e, "weights");
            }
            checkShape(e, t.shape(), "weights");
            checked.put(e.name(), t);
        }
        return new ElmoWeights(options, checked);
    }

    private static ElmoWeights fromHdf(ElmoOptions options, HdfFile hdf, String source) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Expected e : expected(options, name -> datasetOrNull(hdf, name) != null)) {
            Dataset d = datasetOrNull(hdf, e.name());
            if (d == null) {
                throw missing(e, source);
            }
            checkShape(e, d.getDimensions(), source);
            tensors.put(e.name(), new Tensor(toFloats(d.getDataFlat(), e.name(), source), d.getDimensions()));
        }
        return new ElmoWeights(options, tensors);
    }

    private static Dataset datasetOrNull(HdfFile hdf, String path) {
        try {
            Node node = hdf.getByPath(path);
            return node instanceof Dataset d ? d : null;
        } catch (HdfInvalidPathException e) {
            // Only absence: a damaged file must fail as unreadable, not pass for one that lacks the dataset.
            return null;
        }
    }

    private static float[] toFloats(Object flat, String name, String source) {
        if (flat instanceof float[] f) {
            return f;
        }
        if (flat instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw new IllegalArgumentException(source + ": dataset " + name + " must hold floating-point numbers, found "
                + (flat == null ? "nothing" : flat.getClass().getComponentType()));
    }

    private record Expected(String name, int[] shape, String why) {
    }

    private static IllegalArgumentException missing(Expected e, String source) {
        return new IllegalArgumentException(source + ": dataset " + e.name() + " is missing; the options need it with shape "
                + Arrays.toString(e.shape()) + " (" + e.why() + ")");
    }

    private static void checkShape(Expected e, int[] actual, String source) {
        if (!Arrays.equals(e.shape(), actual)) {
            throw new IllegalArgumentException(source + ": dataset " + e.name() + " has shape " + Arrays.toString(actual)
                    + ", the options expect " + Arrays.toString(e.shape()) + " (" + e.why() + ")");
        }
    }

    /** Every dataset the options need, in a fixed order; optional projections only where the file has them. */
    private static java.util.List<Expected> expected(ElmoOptions o, java.util.function.Predicate<String> present) {
        java.util.List<Expected> list = new java.util.ArrayList<>();
        int e = o.charEmbeddingDim();
        int f = o.filterTotal();
        int p = o.projectionDim();
        int c = o.cellDim();
        list.add(new Expected(CHAR_EMBED, new int[]{CHAR_EMBED_ROWS, e}, "char_cnn.embedding.dim=" + e));
        for (int i = 0; i < o.filters().size(); i++) {
            ElmoOptions.Filter filter = o.filters().get(i);
            String why = "char_cnn.filters[" + i + "]=[" + filter.width() + ", " + filter.count() + "]";
            list.add(new Expected(cnnWeight(i), new int[]{1, filter.width(), e, filter.count()}, why));
            list.add(new Expected(cnnBias(i), new int[]{filter.count()}, why));
        }
        for (int k = 0; k < o.highwayLayers(); k++) {
            String why = "char_cnn.n_highway=" + o.highwayLayers() + ", F=" + f;
            for (String part : new String[]{"W_carry", "W_transform"}) {
                list.add(new Expected(highway(k, part), new int[]{f, f}, why));
            }
            for (String part : new String[]{"b_carry", "b_transform"}) {
                list.add(new Expected(highway(k, part), new int[]{f}, why));
            }
        }
        if (f != p || present.test(PROJ_W)) {
            String why = "F=" + f + " filters projected to lstm.projection_dim=" + p;
            list.add(new Expected(PROJ_W, new int[]{f, p}, why));
            list.add(new Expected(PROJ_B, new int[]{p}, why));
        }
        boolean cellProjection = p != c || present.test(lstm(0, 0, "W_P_0"));
        for (int d = 0; d < 2; d++) {
            for (int l = 0; l < o.lstmLayers(); l++) {
                String why = "lstm.projection_dim=" + p + ", lstm.dim=" + c;
                list.add(new Expected(lstm(d, l, "W_0"), new int[]{2 * p, 4 * c}, why));
                list.add(new Expected(lstm(d, l, "B"), new int[]{4 * c}, why));
                if (cellProjection) {
                    list.add(new Expected(lstm(d, l, "W_P_0"), new int[]{c, p}, why));
                }
            }
        }
        return list;
    }
}
