package org.elmosearch.elmo;

import org.elmosearch.RepositoryFiles;
import org.elmosearch.SharedData;
import org.elmosearch.analysis.TextTokenizer;
import org.elmosearch.analysis.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The opt-in int8 weights against the float32 graph of the same weights: the error they cost, on the golden
 * sentences with the AllenNLP fixture model and on real text with the trained demo model.
 */
class Int8WeightsTest {

    /** Worst cosine allowed between a token's int8 and float32 vectors in any layer, and the mean it must reach. */
    private static final double MIN_COSINE = 0.997;
    private static final double MEAN_COSINE = 0.9995;

    @Test
    void goldenSentencesStayCloseToFloat32() throws Exception {
        Path golden = SharedData.requireOrSkip("elmo-fixtures/golden");
        Path model = SharedData.requireOrSkip("elmo-fixtures/allennlp");
        List<List<String>> sentences = new ArrayList<>();
        for (int n = 0; n < 30; n++) {
            try (Hdf5Arrays ref = new Hdf5Arrays(golden.resolve(String.format("sent_%03d.hdf5", n)))) {
                sentences.add(List.of(ref.strings("tokens")));
            }
        }
        OutputError error = compare(model.resolve("options.json"), model.resolve("lm_weights.hdf5"), sentences);
        System.err.printf("int8 vs float32, golden sentences (AllenNLP fixture model): max abs %.3g, cosine mean %.6f, min %.6f, %d vectors%n",
                error.maxAbs(), error.meanCosine(), error.minCosine(), error.tokenVectors());
        assertCloseToFloat32(error);
        assertTrue(error.maxAbs() > 0, "int8 weights gave exactly the float32 outputs: the graph was not quantized");
    }

    @Test
    void demoCorpusWithTheTrainedDemoModelStaysCloseToFloat32() throws Exception {
        Path root = RepositoryFiles.rootOrSkip("src/trainer/gutenberg-model/weights.hdf5");
        Path model = root.resolve("src/trainer/gutenberg-model");
        List<List<String>> sentences = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("src/demo/corpus.tsv"), StandardCharsets.UTF_8)) {
            String text = line.substring(line.lastIndexOf('\t') + 1);
            sentences.add(TextTokenizer.standard().tokenize(text).stream().map(Token::text).toList());
        }
        OutputError error = compare(model.resolve("options.json"), model.resolve("weights.hdf5"), sentences);
        System.err.printf("int8 vs float32, %d demo passages (trained demo model): max abs %.3g, cosine mean %.6f, min %.6f, %d vectors%n",
                sentences.size(), error.maxAbs(), error.meanCosine(), error.minCosine(), error.tokenVectors());
        assertCloseToFloat32(error);
    }

    @Test
    void anInt8GraphIsSavedAndLoadedWithItsPrecisionAndAQuarterOfTheLstmBytes(@TempDir Path dir) throws Exception {
        ElmoWeights weights = SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 3);
        ElmoModel exact = ElmoModel.fromWeights(weights);
        ElmoModel int8 = ElmoModel.fromWeights(weights, WeightPrecision.INT8);
        exact.saveOnnx(dir.resolve("exact.onnx"));
        int8.saveOnnx(dir.resolve("int8.onnx"));
        ElmoModel loaded = ElmoModel.fromOnnx(dir.resolve("int8.onnx"));
        assertEquals(WeightPrecision.INT8, loaded.precision());
        assertEquals(WeightPrecision.FLOAT32, ElmoModel.fromOnnx(dir.resolve("exact.onnx")).precision());

        ElmoOptions o = weights.options();
        long lstmWeights = (long) o.lstmLayers() * 2 * (2L * o.projectionDim() * 4 * o.cellDim()
                + (weights.hasCellProjection() ? (long) o.cellDim() * o.projectionDim() : 0));
        long saved = Files.size(dir.resolve("exact.onnx")) - Files.size(dir.resolve("int8.onnx"));
        // Each LSTM weight goes from 4 bytes to 1; per-column scales and the extra nodes take some of that back in a model this small.
        assertTrue(saved > 2.5 * lstmWeights && saved <= 3 * lstmWeights,
                "int8 file " + saved + " bytes smaller for " + lstmWeights + " LSTM weights");

        List<List<String>> sentences = List.of(List.of("The", "river", "bank", "."), List.of("A", "loan", "from", "the", "bank"));
        try (ElmoEncoder built = new ElmoEncoder(int8, 1); ElmoEncoder reloaded = new ElmoEncoder(loaded, 1);
             ElmoEncoder reference = new ElmoEncoder(exact, 1)) {
            float[][][] fromBuilt = built.encode(sentences).layers().get(1);
            float[][][] fromFile = reloaded.encode(sentences).layers().get(1);
            for (int l = 0; l < fromBuilt.length; l++) {
                for (int t = 0; t < fromBuilt[l].length; t++) {
                    assertArrayEquals(fromBuilt[l][t], fromFile[l][t], "layer " + l + " token " + t);
                }
            }
            List<float[][][]> exactLayers = reference.encode(sentences).layers();
            List<float[][][]> int8Layers = built.encode(sentences).layers();
            assertNotEquals(0.0, OutputError.of(exactLayers, int8Layers).maxAbs());
            for (int s = 0; s < sentences.size(); s++) {
                for (int t = 0; t < exactLayers.get(s)[0].length; t++) {
                    assertArrayEquals(exactLayers.get(s)[0][t], int8Layers.get(s)[0][t], "layer 0 (token embedding) stays float32, token " + t);
                }
            }
        }
    }

    @Test
    void precisionsAreNamedInLowerCaseAndAnUnknownOneIsListedAgainstTheChoices() {
        assertEquals(WeightPrecision.INT8, WeightPrecision.parse("int8"));
        assertEquals("float32", WeightPrecision.FLOAT32.id());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightPrecision.parse("fp16"));
        assertEquals("unknown weight precision [fp16], expected one of [float32, int8]", e.getMessage());
    }

    private static void assertCloseToFloat32(OutputError error) {
        assertTrue(error.minCosine() >= MIN_COSINE, "worst cosine " + error.minCosine());
        assertTrue(error.meanCosine() >= MEAN_COSINE, "mean cosine " + error.meanCosine());
    }

    private static OutputError compare(Path options, Path weightsFile, List<List<String>> sentences) throws Exception {
        ElmoWeights weights = ElmoWeights.read(ElmoOptions.read(options), weightsFile);
        try (ElmoEncoder exact = new ElmoEncoder(ElmoModel.fromWeights(weights), 1);
             ElmoEncoder int8 = new ElmoEncoder(ElmoModel.fromWeights(weights, WeightPrecision.INT8), 1)) {
            return OutputError.of(exact.encode(sentences).layers(), int8.encode(sentences).layers());
        }
    }
}
