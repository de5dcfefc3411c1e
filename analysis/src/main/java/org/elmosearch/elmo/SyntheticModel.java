package org.elmosearch.elmo;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ELMo models with random weights in the official shapes, written as bilm-tf {@code options.json} +
 * {@code weights.hdf5}: for tests and benchmarks, never for meaningful rankings.
 */
public final class SyntheticModel {

    private SyntheticModel() {
    }

    private static final List<ElmoOptions.Filter> OFFICIAL_FILTERS = List.of(
            new ElmoOptions.Filter(1, 32), new ElmoOptions.Filter(2, 32), new ElmoOptions.Filter(3, 64),
            new ElmoOptions.Filter(4, 128), new ElmoOptions.Filter(5, 256), new ElmoOptions.Filter(6, 512),
            new ElmoOptions.Filter(7, 1024));

    /** The published architectures, plus a tiny one the size of the AllenNLP test fixture. */
    public enum Preset {
        TINY(new ElmoOptions(List.of(new ElmoOptions.Filter(1, 4), new ElmoOptions.Filter(2, 8), new ElmoOptions.Filter(3, 16),
                new ElmoOptions.Filter(4, 32), new ElmoOptions.Filter(5, 64)), 2, ElmoOptions.Activation.RELU, 4, 262, 50,
                2, true, 3f, 3f, 16, 64)),
        /** 2x1024_128_2048cnn_1xhighway. */
        SMALL(official(1, 128, 1024)),
        /** 2x2048_256_2048cnn_1xhighway. */
        MEDIUM(official(1, 256, 2048)),
        /** 2x4096_512_2048cnn_2xhighway. */
        ORIGINAL(official(2, 512, 4096));

        private final ElmoOptions options;

        Preset(ElmoOptions options) {
            this.options = options;
        }

        public ElmoOptions options() {
            return options;
        }

        public static Preset parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("preset must be tiny, small, medium or original, got \"" + name + "\"");
            }
        }
    }

    private static ElmoOptions official(int highway, int projection, int cell) {
        return new ElmoOptions(OFFICIAL_FILTERS, highway, ElmoOptions.Activation.RELU, 16, 262, 50, 2, true, 3f, 3f, projection, cell);
    }

    /** Random weights for {@code options}: uniform in ±1/sqrt(fan-in), so activations stay in a sane range. */
    public static ElmoWeights randomWeights(ElmoOptions options, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, ElmoWeights.Tensor> tensors = new LinkedHashMap<>();
        int e = options.charEmbeddingDim();
        int f = options.filterTotal();
        int p = options.projectionDim();
        int c = options.cellDim();
        tensors.put(ElmoWeights.CHAR_EMBED, uniform(random, 1f, ElmoWeights.CHAR_EMBED_ROWS, e));
        for (int i = 0; i < options.filters().size(); i++) {
            ElmoOptions.Filter filter = options.filters().get(i);
            tensors.put(ElmoWeights.cnnWeight(i), uniform(random, scale(filter.width() * e), 1, filter.width(), e, filter.count()));
            tensors.put(ElmoWeights.cnnBias(i), uniform(random, 0.1f, filter.count()));
        }
        for (int k = 0; k < options.highwayLayers(); k++) {
            tensors.put(ElmoWeights.highway(k, "W_carry"), uniform(random, scale(f), f, f));
            tensors.put(ElmoWeights.highway(k, "W_transform"), uniform(random, scale(f), f, f));
            tensors.put(ElmoWeights.highway(k, "b_carry"), uniform(random, 0.1f, f));
            tensors.put(ElmoWeights.highway(k, "b_transform"), uniform(random, 0.1f, f));
        }
        if (f != p) {
            tensors.put(ElmoWeights.PROJ_W, uniform(random, scale(f), f, p));
            tensors.put(ElmoWeights.PROJ_B, uniform(random, 0.1f, p));
        }
        for (int d = 0; d < 2; d++) {
            for (int l = 0; l < options.lstmLayers(); l++) {
                tensors.put(ElmoWeights.lstm(d, l, "W_0"), uniform(random, scale(2 * p), 2 * p, 4 * c));
                tensors.put(ElmoWeights.lstm(d, l, "B"), uniform(random, 0.1f, 4 * c));
                if (p != c) {
                    tensors.put(ElmoWeights.lstm(d, l, "W_P_0"), uniform(random, scale(c), c, p));
                }
            }
        }
        return ElmoWeights.of(options, tensors);
    }

    private static float scale(int fanIn) {
        return (float) (1.0 / Math.sqrt(fanIn));
    }

    private static ElmoWeights.Tensor uniform(SplittableRandom random, float bound, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return new ElmoWeights.Tensor(data, shape);
    }

    /** Writes {@code options.json} and {@code weights.hdf5} into {@code dir}. */
    public static void write(ElmoWeights weights, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("options.json"), weights.options().toJson());
        writeHdf5(weights, dir.resolve("weights.hdf5"));
    }

    /** Writes the tensors in the bilm-tf HDF5 layout (nested groups, TF-oriented shapes). */
    public static void writeHdf5(ElmoWeights weights, Path file) throws IOException {
        writeHdf5(weights.tensors(), file);
    }

    /**
     * Writes named tensors ({@code "CNN/W_cnn_0"}, ...) in the bilm-tf HDF5 layout without checking them against any
     * options: also for files that deliberately do not fit theirs.
     */
    public static void writeHdf5(Map<String, ElmoWeights.Tensor> tensors, Path file) throws IOException {
        Files.deleteIfExists(file);
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            Map<String, WritableGroup> groups = new HashMap<>();
            for (Map.Entry<String, ElmoWeights.Tensor> entry : tensors.entrySet()) {
                String name = entry.getKey();
                ElmoWeights.Tensor t = entry.getValue();
                int slash = name.lastIndexOf('/');
                WritableGroup group = slash < 0 ? hdf : group(hdf, groups, name.substring(0, slash));
                group.putDataset(name.substring(slash + 1), nest(t.data(), t.shape()));
            }
        }
    }

    private static WritableGroup group(WritableHdfFile hdf, Map<String, WritableGroup> groups, String path) {
        WritableGroup existing = groups.get(path);
        if (existing != null) {
            return existing;
        }
        int slash = path.lastIndexOf('/');
        WritableGroup parent = slash < 0 ? hdf : group(hdf, groups, path.substring(0, slash));
        WritableGroup created = parent.putGroup(path.substring(slash + 1));
        groups.put(path, created);
        return created;
    }

    /** A flat row-major array as a Java multi-dimensional {@code float} array, which jhdf writes with its shape. */
    private static Object nest(float[] flat, int[] shape) {
        if (shape.length == 1) {
            return flat;
        }
        Object out = Array.newInstance(float.class, shape);
        fill(out, flat, shape, 0, 0);
        return out;
    }

    private static int fill(Object target, float[] flat, int[] shape, int depth, int offset) {
        if (depth == shape.length - 1) {
            System.arraycopy(flat, offset, target, 0, shape[depth]);
            return offset + shape[depth];
        }
        for (int i = 0; i < shape[depth]; i++) {
            offset = fill(Array.get(target, i), flat, shape, depth + 1, offset);
        }
        return offset;
    }
}
