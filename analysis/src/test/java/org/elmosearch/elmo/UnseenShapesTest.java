package org.elmosearch.elmo;

import ai.onnx.proto.OnnxMl.GraphProto;
import org.elmosearch.elmo.ElmoOptions.Activation;
import org.elmosearch.elmo.ElmoOptions.Filter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random models of architectures the golden files do not cover, each written to options.json + weights.hdf5,
 * loaded back through the real HDF5 path and checked layer by layer against {@link ReferenceElmo}.
 */
class UnseenShapesTest {

    /** Float32 inference against a double-precision reference: observed at most 1.7e-7 here, 1.4e-6 on the trained fixture. */
    private static final double TOLERANCE = 1e-5;

    /** 60 characters, 74 UTF-8 bytes: longer than any model's token limit (at most 48 bytes). */
    private static final String LONG_TOKEN = "Überlänge".repeat(7).substring(0, 60);
    /** The same first 50 characters (far more than 48 bytes), a different tail: must look identical to the model. */
    private static final String LONG_TOKEN_TWIN = LONG_TOKEN.substring(0, 50) + "0123456789";

    private static final List<List<String>> SENTENCES = List.of(
            List.of("The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", ",", "and", "then", "it",
                    "naps", "in", "the", "warm", "afternoon", "sun", "by", "the", "river", "bank", "."),
            List.of(),
            List.of("word"),
            List.of("Grüße", "aus", "Zürich", "—", "日本語の", "テキスト", "Ελληνικά", "עברית", "العربية", "हिन्दी"),
            List.of("I", "❤️", "🦙", "👩‍👩‍👧", "🇫🇷", "!"),
            List.of("a", LONG_TOKEN, "b", LONG_TOKEN_TWIN));

    record Architecture(String name, ElmoOptions options) {
        ElmoWeights randomWeights() {
            return SyntheticModel.randomWeights(options, name.hashCode());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static ElmoOptions options(List<Filter> filters, int highway, Activation activation, int charDim, int maxChars,
                                       int layers, boolean skip, float cellClip, float projClip, int projection, int cell) {
        return new ElmoOptions(filters, highway, activation, charDim, 262, maxChars, layers, skip, cellClip, projClip, projection, cell);
    }

    private static final float NONE = Float.NaN;
    /** Clips small enough to fire: these random weights keep |c| mostly below 0.3 and outputs below 0.1. */
    private static final float CELL_CLIP = 0.1f;
    private static final float PROJ_CLIP = 0.04f;

    static List<Architecture> architectures() {
        List<Filter> widthsOneToSeven = List.of(new Filter(1, 2), new Filter(2, 3), new Filter(3, 4), new Filter(4, 5),
                new Filter(5, 6), new Filter(6, 7), new Filter(7, 8));
        return List.of(
                new Architecture("one filter bank, tanh, no highway, 1 layer, no clips",
                        options(List.of(new Filter(3, 8)), 0, Activation.TANH, 4, 50, 1, false, NONE, NONE, 8, 16)),
                new Architecture("widths 1-7, char dim 16, 3 highway, 3 layers with skips, small clips",
                        options(widthsOneToSeven, 3, Activation.RELU, 16, 50, 3, true, CELL_CLIP, PROJ_CLIP, 12, 24)),
                new Architecture("3 layers without skips, 1 highway, tanh, cell clip only",
                        options(List.of(new Filter(2, 8), new Filter(4, 8)), 1, Activation.TANH, 4, 50, 3, false, CELL_CLIP, NONE, 6, 16)),
                new Architecture("F == P: no CNN_proj",
                        options(List.of(new Filter(2, 6), new Filter(4, 6)), 1, Activation.RELU, 8, 50, 2, true, 3f, 3f, 12, 20)),
                new Architecture("P == C: no W_P_0, so proj_clip does not apply",
                        options(List.of(new Filter(1, 4), new Filter(3, 8)), 1, Activation.TANH, 4, 50, 2, false, CELL_CLIP, PROJ_CLIP, 10, 10)),
                new Architecture("F == P == C: neither projection",
                        options(List.of(new Filter(1, 8)), 0, Activation.TANH, 2, 50, 3, true, NONE, NONE, 8, 8)),
                new Architecture("10 chars per token, char dim 1",
                        options(List.of(new Filter(2, 5), new Filter(5, 5)), 3, Activation.RELU, 1, 10, 2, true, NONE, PROJ_CLIP, 6, 12)),
                new Architecture("a filter as wide as the token (7 chars)",
                        options(List.of(new Filter(7, 4), new Filter(1, 4)), 1, Activation.RELU, 3, 7, 1, false, CELL_CLIP, NONE, 4, 8)),
                new Architecture("n_characters 261 (as trained)",
                        new ElmoOptions(List.of(new Filter(2, 4)), 1, Activation.RELU, 4, 261, 50, 2, true, 3f, 3f, 4, 8)),
                new Architecture("the AllenNLP fixture's shape", SyntheticModel.Preset.TINY.options()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void everyLayerOfEverySentenceMatchesTheReference(Architecture architecture, @TempDir Path dir) throws IOException {
        ElmoWeights weights = architecture.randomWeights();
        try (ElmoEncoder encoder = encoderFromFiles(weights, dir)) {
            BiLmOutput out = encoder.encode(SENTENCES);
            double worst = assertMatchesReference(new ReferenceElmo(weights), out, architecture.name());
            System.out.printf("unseen shape [%s]: max abs error %.3g%n", architecture.name(), worst);

            // Both twins reach the model as the same first bytes, so their token embeddings are equal.
            float[][] tokenLayer = out.layers().get(5)[0];
            assertArrayEquals(tokenLayer[1], tokenLayer[3], "a truncated token must embed as its first bytes");
        }
    }

    /**
     * Other sentences and padding must not reach a sentence's vectors: they are bit-identical in any two batches of
     * two or more. Alone they differ in the last bits (observed up to 3e-8): in a batch of one the recurrent MatMul
     * has a single row, which ONNX Runtime's MLAS computes with a different kernel, summing in another order.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void aSentenceGetsTheSameVectorsWhateverElseIsInTheBatch(Architecture architecture, @TempDir Path dir) throws IOException {
        try (ElmoEncoder encoder = encoderFromFiles(architecture.randomWeights(), dir)) {
            BiLmOutput batch = encoder.encode(SENTENCES);
            float worstAlone = 0;
            for (int s = 0; s < SENTENCES.size(); s++) {
                List<String> sentence = SENTENCES.get(s);
                float[][][] inBatch = batch.layers().get(s);
                float[][][] withAnother = encoder.encode(List.of(sentence, SENTENCES.get(s == 0 ? 3 : 0))).layers().get(0);
                float[][][] alone = encoder.encode(List.of(sentence)).layers().get(0);
                for (int k = 0; k < inBatch.length; k++) {
                    assertArrayEquals(inBatch[k], withAnother[k], "sentence " + s + ", layer " + k);
                    worstAlone = Math.max(worstAlone, maxAbsDiff(inBatch[k], alone[k]));
                }
            }
            assertTrue(worstAlone <= 1e-6, "alone vs in a batch: max abs difference " + worstAlone);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void aSavedOnnxModelGivesIdenticalOutputsWithoutTheHdf5(Architecture architecture, @TempDir Path dir) throws IOException {
        ElmoModel model = ElmoModel.fromBilm(writeModel(architecture.randomWeights(), dir), dir.resolve("weights.hdf5"));
        Path onnx = dir.resolve("model.onnx");
        model.saveOnnx(onnx);
        Files.delete(dir.resolve("weights.hdf5"));
        Files.delete(dir.resolve("options.json"));
        ElmoModel loaded = ElmoModel.fromOnnx(onnx);
        assertEquals(model.options(), loaded.options());
        try (ElmoEncoder original = new ElmoEncoder(model, 1); ElmoEncoder reloaded = new ElmoEncoder(loaded, 1)) {
            BiLmOutput expected = original.encode(SENTENCES);
            BiLmOutput actual = reloaded.encode(SENTENCES);
            for (int s = 0; s < SENTENCES.size(); s++) {
                assertArrayEquals(expected.layers().get(s), actual.layers().get(s), "sentence " + s);
            }
        }
    }

    /** ONNX requires every value to be defined once; ONNX Runtime merely warns and keeps the last definition. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void everyValueOfTheGraphIsDefinedOnce(Architecture architecture) {
        GraphProto graph = ElmoGraphBuilder.build(architecture.randomWeights(), WeightPrecision.FLOAT32).getGraph();
        List<String> defined = new ArrayList<>();
        graph.getInputList().forEach(input -> defined.add(input.getName()));
        graph.getInitializerList().forEach(initializer -> defined.add(initializer.getName()));
        graph.getNodeList().forEach(node -> defined.addAll(node.getOutputList()));
        Set<String> seen = new HashSet<>();
        assertEquals(List.of(), defined.stream().filter(name -> !seen.add(name)).toList(), "defined more than once");
    }

    @Test
    void clippingFiresBoundsTheOutputAndMatchesTheReference(@TempDir Path dir) throws IOException {
        List<Filter> filters = List.of(new Filter(2, 8), new Filter(3, 8));
        ElmoWeights unclipped = SyntheticModel.randomWeights(options(filters, 1, Activation.RELU, 4, 50, 2, false, NONE, NONE, 8, 16), 7);
        ElmoWeights cellClipped = ElmoWeights.of(options(filters, 1, Activation.RELU, 4, 50, 2, false, CELL_CLIP, NONE, 8, 16), unclipped.tensors());
        ElmoWeights bothClipped = ElmoWeights.of(options(filters, 1, Activation.RELU, 4, 50, 2, false, CELL_CLIP, PROJ_CLIP, 8, 16), unclipped.tensors());
        float[][][] none;
        float[][][] cell;
        float[][][] both;
        try (ElmoEncoder a = encoderFromFiles(unclipped, dir.resolve("none"));
             ElmoEncoder b = encoderFromFiles(cellClipped, dir.resolve("cell"));
             ElmoEncoder c = encoderFromFiles(bothClipped, dir.resolve("both"))) {
            none = encodeChecked(a, unclipped, "unclipped");
            cell = encodeChecked(b, cellClipped, "cell clip");
            both = encodeChecked(c, bothClipped, "cell and proj clips");
        }
        assertArrayEquals(none[0], both[0], "clipping must not touch the token layer");
        for (int k = 1; k < none.length; k++) {
            assertTrue(maxAbsDiff(none[k], cell[k]) > 1e-3, "cell_clip must change layer " + k);
            assertTrue(maxAbs(none[k]) > PROJ_CLIP, "layer " + k + " unclipped must exceed proj_clip");
            // Without skip connections a layer is the projected cell output itself, so proj_clip bounds it.
            assertEquals(PROJ_CLIP, maxAbs(both[k]), "layer " + k + " must reach and not exceed proj_clip");
        }
    }

    @Test
    void projClipDoesNotApplyWhereTheCellsDoNotProject(@TempDir Path dir) throws IOException {
        ElmoOptions options = options(List.of(new Filter(2, 8)), 0, Activation.RELU, 4, 50, 1, false, NONE, PROJ_CLIP, 8, 8);
        ElmoWeights weights = SyntheticModel.randomWeights(options, 11);
        try (ElmoEncoder encoder = encoderFromFiles(weights, dir)) {
            assertTrue(maxAbs(encodeChecked(encoder, weights, "unprojected")[1]) > PROJ_CLIP, "TF clips only a projected output");
        }
    }

    @Test
    void syntheticWeightsLeaveOutTheProjectionsExactlyWhereBilmTfDoes() {
        List<Filter> twelve = List.of(new Filter(1, 4), new Filter(2, 8));
        assertFalse(SyntheticModel.randomWeights(options(twelve, 0, Activation.RELU, 4, 50, 1, false, NONE, NONE, 12, 16), 1).hasTokenProjection());
        assertTrue(SyntheticModel.randomWeights(options(twelve, 0, Activation.RELU, 4, 50, 1, false, NONE, NONE, 8, 16), 1).hasTokenProjection());
        assertFalse(SyntheticModel.randomWeights(options(twelve, 0, Activation.RELU, 4, 50, 1, false, NONE, NONE, 8, 8), 1).hasCellProjection());
        assertTrue(SyntheticModel.randomWeights(options(twelve, 0, Activation.RELU, 4, 50, 1, false, NONE, NONE, 8, 16), 1).hasCellProjection());
    }

    /** A file may keep CNN_proj with F == P and W_P_0 with P == C; they must then be applied. */
    @Test
    void projectionsAFileKeepsAreApplied(@TempDir Path dir) throws IOException {
        ElmoOptions options = options(List.of(new Filter(1, 4), new Filter(3, 4)), 1, Activation.RELU, 4, 50, 2, true, 3f, 0.5f, 8, 8);
        ElmoWeights bare = SyntheticModel.randomWeights(options, 5);
        SplittableRandom random = new SplittableRandom(6);
        Map<String, ElmoWeights.Tensor> tensors = new LinkedHashMap<>(bare.tensors());
        tensors.put(ElmoWeights.PROJ_W, randomTensor(random, 8, 8));
        tensors.put(ElmoWeights.PROJ_B, randomTensor(random, 8));
        for (int d = 0; d < 2; d++) {
            for (int l = 0; l < 2; l++) {
                tensors.put(ElmoWeights.lstm(d, l, "W_P_0"), randomTensor(random, 8, 8));
            }
        }
        ElmoWeights projected = ElmoWeights.of(options, tensors);
        Path weightsFile = dir.resolve("weights.hdf5");
        SyntheticModel.write(projected, dir);
        ElmoWeights read = ElmoWeights.read(options, weightsFile);
        assertTrue(read.hasTokenProjection() && read.hasCellProjection());

        try (ElmoEncoder encoder = new ElmoEncoder(ElmoModel.fromWeights(read), 1);
             ElmoEncoder withoutProjections = new ElmoEncoder(ElmoModel.fromWeights(bare), 1)) {
            BiLmOutput out = encoder.encode(SENTENCES);
            assertMatchesReference(new ReferenceElmo(projected), out, "both projections kept");
            assertTrue(maxAbsDiff(out.layers().get(0)[0], withoutProjections.encode(SENTENCES).layers().get(0)[0]) > 1e-2);
        }
    }

    /** Writes options.json + weights.hdf5 into {@code dir}; returns the options file. */
    private static Path writeModel(ElmoWeights weights, Path dir) throws IOException {
        SyntheticModel.write(weights, dir);
        return dir.resolve("options.json");
    }

    /** The encoder of a model written to disk and read back as a user would: options.json + weights.hdf5. */
    private static ElmoEncoder encoderFromFiles(ElmoWeights weights, Path dir) throws IOException {
        return new ElmoEncoder(ElmoModel.fromBilm(writeModel(weights, dir), dir.resolve("weights.hdf5")), 1);
    }

    /** Encodes {@link #SENTENCES}, checks them against the reference and returns the first (longest) one's layers. */
    private static float[][][] encodeChecked(ElmoEncoder encoder, ElmoWeights weights, String model) {
        BiLmOutput out = encoder.encode(SENTENCES);
        assertMatchesReference(new ReferenceElmo(weights), out, model);
        return out.layers().get(0);
    }

    /** Compares every layer of every sentence with the reference and returns the largest error. */
    private static double assertMatchesReference(ReferenceElmo reference, BiLmOutput out, String model) {
        double worst = 0;
        for (int s = 0; s < SENTENCES.size(); s++) {
            double[][][] expected = reference.forward(SENTENCES.get(s)).layers();
            float[][][] actual = out.layers().get(s);
            assertEquals(expected.length, actual.length, "layers");
            for (int k = 0; k < expected.length; k++) {
                assertEquals(SENTENCES.get(s).size(), actual[k].length, "rows of layer " + k);
                for (int t = 0; t < actual[k].length; t++) {
                    // The reference keeps the <S> row; the encoder drops it.
                    double[] row = expected[k][t + 1];
                    assertEquals(row.length, actual[k][t].length);
                    for (int i = 0; i < row.length; i++) {
                        worst = Math.max(worst, Math.abs(row[i] - actual[k][t][i]));
                    }
                }
                assertTrue(worst <= TOLERANCE, model + ", sentence " + s + ", layer " + k + ": max abs error " + worst);
            }
        }
        return worst;
    }

    private static float maxAbs(float[][] rows) {
        float max = 0;
        for (float[] row : rows) {
            for (float x : row) {
                max = Math.max(max, Math.abs(x));
            }
        }
        return max;
    }

    private static float maxAbsDiff(float[][] a, float[][] b) {
        float max = 0;
        for (int t = 0; t < a.length; t++) {
            max = Math.max(max, Hdf5Arrays.maxAbsDiff(a[t], b[t]));
        }
        return max;
    }

    private static ElmoWeights.Tensor randomTensor(SplittableRandom random, int... shape) {
        float[] data = new float[java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextDouble(-0.5, 0.5);
        }
        return new ElmoWeights.Tensor(data, shape);
    }
}
