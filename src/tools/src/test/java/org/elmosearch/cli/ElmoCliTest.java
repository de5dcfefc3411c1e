package org.elmosearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.elmo.WeightPrecision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@link ElmoCli} in-process on a synthetic tiny model (3 output layers, D = 32). */
class ElmoCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ElmoOptions TINY = SyntheticModel.Preset.TINY.options();
    private static final int LAYERS = TINY.outputLayers();
    private static final int DIM = TINY.outputDim();

    @TempDir
    static Path dir;
    private static Path options;
    private static Path weights;
    private static Path input;

    /** What one run printed, and how it ended. */
    record Result(int code, String out, String err) {

        List<JsonNode> lines() throws IOException {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                nodes.add(JSON.readTree(line));
            }
            return nodes;
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ElmoCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result embed(String... extra) {
        String[] base = {"embed", "--options", options.toString(), "--weights", weights.toString(), "--input", input.toString(), "--threads", "1"};
        return run(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
    }

    @BeforeAll
    static void synthesize() throws IOException {
        Result synth = run("synth", "--preset", "tiny", "--seed", "3", "--out", dir.resolve("tiny").toString());
        assertEquals(0, synth.code(), synth.err());
        options = dir.resolve("tiny/options.json");
        weights = dir.resolve("tiny/weights.hdf5");
        input = dir.resolve("input.txt");
        Files.writeString(input, "The bank of the river was muddy.\n\nDon't stop  the music\n");
    }

    @Test
    void layersAreAllLayersOfEveryTokenWithoutTheSentenceMarkers() throws IOException {
        Result result = embed("--output", "layers");
        assertEquals(0, result.code(), result.err());
        List<JsonNode> lines = result.lines();
        assertEquals(3, lines.size());
        assertEquals(List.of("The", "bank", "of", "the", "river", "was", "muddy", "."), tokens(lines.get(0)));
        assertShape(lines.get(0).get("layers"), LAYERS, 8, DIM);
        assertEquals(List.of("Don", "'t", "stop", "the", "music"), tokens(lines.get(2)));
        assertShape(lines.get(2).get("layers"), LAYERS, 5, DIM);
        assertFalse(lines.get(0).has("truncated"));
    }

    @Test
    void anEmptyLineHasNoTokensAndEmptyOutput() throws IOException {
        JsonNode layers = embed("--output", "layers").lines().get(1);
        assertEquals(List.of(), tokens(layers));
        assertEquals("[[],[],[]]", layers.get("layers").toString());
        assertEquals("[]", embed("--output", "mix").lines().get(1).get("mix").toString());
        assertTrue(embed("--output", "pooled").lines().get(1).get("vector").isNull());
    }

    @Test
    void mixIsTheAverageOfTheLayersByDefaultAndFollowsMixWeights() throws IOException {
        JsonNode layers = embed("--output", "layers").lines().get(0).get("layers");
        JsonNode mix = embed("--output", "mix").lines().get(0).get("mix");
        assertShape(mix, 8, DIM);
        for (int t = 0; t < 8; t++) {
            float[] expected = new float[DIM];
            for (int k = 0; k < LAYERS; k++) {
                float[] layer = floats(layers.get(k).get(t));
                for (int d = 0; d < DIM; d++) {
                    expected[d] += layer[d] / LAYERS;
                }
            }
            assertArrayEquals(expected, floats(mix.get(t)), 1e-6f);
        }
        JsonNode top = embed("--output", "mix", "--mix", "0,0,1").lines().get(0).get("mix");
        assertArrayEquals(floats(layers.get(2).get(5)), floats(top.get(5)), 0f);
        assertEquals(top, embed("--output", "mix", "--mix", "top").lines().get(0).get("mix"));
    }

    @Test
    void pooledIsTheMeanOfTheMixedTokensAndUnitLengthOnlyWhenAsked() throws IOException {
        JsonNode mix = embed("--output", "mix").lines().get(0).get("mix");
        float[] vector = floats(embed("--output", "pooled").lines().get(0).get("vector"));
        assertEquals(DIM, vector.length);
        float[] mean = new float[DIM];
        for (JsonNode token : mix) {
            float[] v = floats(token);
            for (int d = 0; d < DIM; d++) {
                mean[d] += v[d] / mix.size();
            }
        }
        assertArrayEquals(mean, vector, 1e-6f);
        assertNotEquals(1.0, norm(vector), 1e-3);
        assertEquals(1.0, norm(floats(embed("--output", "pooled", "--normalize").lines().get(0).get("vector"))), 1e-5);
        float[] max = floats(embed("--output", "pooled", "--pooling", "max").lines().get(0).get("vector"));
        for (JsonNode token : mix) {
            float[] v = floats(token);
            for (int d = 0; d < DIM; d++) {
                assertTrue(v[d] <= max[d]);
            }
        }
    }

    @Test
    void rankingOutputOfAFittedFolderIsWhitenedUnitVectorsWithIdfWeights() throws IOException {
        Path fitted = dir.resolve("tiny-fitted");
        Result fit = run("fit", "--model", dir.resolve("tiny").toString(), "--corpus", input.toString(), "--out", fitted.toString(), "--threads", "1");
        assertEquals(0, fit.code(), fit.err());
        String[] args = {"embed", "--model", fitted.toString(), "--input", input.toString(), "--output", "ranking", "--threads", "1"};
        Result result = run(args);
        assertEquals(0, result.code(), result.err());
        JsonNode first = result.lines().get(0);
        assertShape(first.get("vectors"), 8, DIM);
        assertEquals(8, first.get("weights").size());
        for (JsonNode vector : first.get("vectors")) {
            double norm = 0;
            for (float v : floats(vector)) {
                norm += v * v;
            }
            assertEquals(1.0, norm, 1e-4);
        }
        // "the" is in both texts of the corpus, "river" in one: the rarer word weighs more.
        assertTrue(first.get("weights").get(4).asDouble() > first.get("weights").get(3).asDouble(), first.get("weights").toString());
        assertTrue(result.lines().get(1).get("vector").isNull());
        // Without statistics, ranking vectors are the unit vectors of the mix and there are no weights.
        JsonNode plain = embed("--output", "ranking").lines().get(0);
        assertFalse(plain.has("weights"));
        assertShape(plain.get("vectors"), 8, DIM);
        assertUsageError(run(Stream.concat(Stream.of(args), Stream.of("--mix", "top")).toArray(String[]::new)),
                "--output ranking uses the layer mix the model's token statistics were fitted on");
    }

    @Test
    void pretokenizedLinesAreSplitOnEverySingleSpaceOnly() throws IOException {
        List<JsonNode> lines = embed("--output", "mix", "--pretokenized").lines();
        assertEquals(List.of("The", "bank", "of", "the", "river", "was", "muddy."), tokens(lines.get(0)));
        assertEquals(List.of(), tokens(lines.get(1)));
        assertEquals(List.of("Don't", "stop", "", "the", "music"), tokens(lines.get(2)));
        assertShape(lines.get(2).get("mix"), 5, DIM);
    }

    @Test
    void longLinesAreCutToMaxTokensAndMarked() throws IOException {
        JsonNode first = embed("--output", "mix", "--max-tokens", "3").lines().get(0);
        assertEquals(List.of("The", "bank", "of"), tokens(first));
        assertTrue(first.get("truncated").asBoolean());
        assertShape(first.get("mix"), 3, DIM);
    }

    @Test
    void batchSizeAndOutputFileDoNotChangeTheNumbers() throws IOException {
        Path file = dir.resolve("nested/out.jsonl");
        Result toFile = embed("--output", "pooled", "--batch", "1", "--out", file.toString());
        assertEquals(0, toFile.code(), toFile.err());
        assertEquals("", toFile.out());
        List<JsonNode> batched = embed("--output", "pooled").lines();
        List<JsonNode> single = new Result(0, Files.readString(file), "").lines();
        assertEquals(batched.size(), single.size());
        for (int i = 0; i < single.size(); i++) {
            assertEquals(batched.get(i).get("tokens"), single.get(i).get("tokens"));
            if (!single.get(i).get("vector").isNull()) {
                // Padding to a batch's longest line changes the order of float sums, not the result beyond rounding.
                assertArrayEquals(floats(batched.get(i).get("vector")), floats(single.get(i).get("vector")), 1e-6f);
            }
        }
    }

    @Test
    void aConvertedOnnxModelGivesTheSameNumbersAsTheHdf5Weights() throws IOException {
        Path onnx = dir.resolve("converted/tiny.onnx");
        Result convert = run("convert", "--options", options.toString(), "--weights", weights.toString(), "--out", onnx.toString());
        assertEquals(0, convert.code(), convert.err());
        assertEquals(TINY, ElmoModel.fromOnnx(onnx).options());

        Result fromOnnx = run("embed", "--onnx", onnx.toString(), "--input", input.toString(), "--output", "layers", "--threads", "1");
        assertEquals(0, fromOnnx.code(), fromOnnx.err());
        assertEquals(embed("--output", "layers").out(), fromOnnx.out());
        Result checked = run("embed", "--onnx", onnx.toString(), "--options", options.toString(), "--input", input.toString(), "--output", "pooled");
        assertEquals(0, checked.code(), checked.err());
    }

    @Test
    void int8ConversionIsOptInAndTheOnnxFileKeepsItsPrecision() throws IOException {
        Path onnx = dir.resolve("converted/tiny-int8.onnx");
        Result convert = run("convert", "--options", options.toString(), "--weights", weights.toString(), "--out", onnx.toString(),
                "--precision", "int8");
        assertEquals(0, convert.code(), convert.err());
        assertTrue(convert.err().contains("int8"), convert.err());
        assertEquals(WeightPrecision.INT8, ElmoModel.fromOnnx(onnx).precision());

        Result fromOnnx = run("embed", "--onnx", onnx.toString(), "--input", input.toString(), "--output", "layers", "--threads", "1");
        Result fromWeights = embed("--output", "layers", "--precision", "int8");
        assertEquals(0, fromWeights.code(), fromWeights.err());
        assertEquals(fromWeights.out(), fromOnnx.out());
        assertNotEquals(embed("--output", "layers").out(), fromWeights.out(), "int8 weights must not give the float32 numbers");
    }

    @Test
    void synthWritesLoadableFilesInThePresetShapes() throws IOException {
        Path out = dir.resolve("synth-small");
        Result result = run("synth", "--preset", "small", "--out", out.toString());
        assertEquals(0, result.code(), result.err());
        ElmoOptions small = SyntheticModel.Preset.SMALL.options();
        assertEquals(small, ElmoOptions.read(out.resolve("options.json")));
        ElmoModel model = ElmoModel.fromBilm(out.resolve("options.json"), out.resolve("weights.hdf5"));
        assertEquals(SyntheticModel.randomWeights(small, 0).parameterCount(), model.parameterCount());
    }

    @Test
    void usageErrorsExitWith2AndNameTheFlag() throws IOException {
        assertUsageError(embed(), "--output is required");
        assertUsageError(embed("--output", "vectors"), "--output must be layers, mix, pooled or ranking");
        assertUsageError(embed("--output", "layers", "--mix", "top"), "--mix only applies");
        assertUsageError(embed("--output", "mix", "--normalize"), "--normalize only applies");
        assertUsageError(embed("--output", "mix", "--mix", "0.5,0.5"), "--mix");
        assertUsageError(embed("--output", "mix", "--mix", "half"), "--mix must be");
        assertUsageError(embed("--output", "pooled", "--pooling", "sum"), "--pooling must be");
        assertUsageError(embed("--output", "mix", "--batch", "0"), "--batch must be an integer >= 1");
        assertUsageError(embed("--output", "mix", "--colour"), "unknown flag --colour");
        assertUsageError(embed("--output", "mix", "stray"), "unexpected argument 'stray'");
        assertUsageError(embed("--output", "mix", "--out"), "--out needs a value");
        assertUsageError(embed("--output", "mix", "--output", "layers"), "--output is given twice");
        assertUsageError(embed("--output", "mix", "--onnx", dir.resolve("x.onnx").toString()), "--weights and --onnx cannot be used together");
        assertUsageError(run("embed", "--options", options.toString(), "--input", input.toString(), "--output", "mix"), "--weights (with --options) or --onnx is required");
        assertUsageError(run("embed", "--options", options.toString(), "--weights", weights.toString(),
                "--input", dir.resolve("missing.txt").toString(), "--output", "mix"), "--input: file not found");
        assertUsageError(embed("--output", "mix", "--out", input.toString()), "--out is the --input file");
        assertUsageError(run("convert", "--options", options.toString(), "--weights", weights.toString()), "--out is required");
        assertUsageError(embed("--output", "mix", "--precision", "fp16"), "--precision: unknown weight precision [fp16], expected one of [float32, int8]");
        assertUsageError(run("embed", "--onnx", dir.resolve("x.onnx").toString(), "--input", input.toString(), "--output", "mix",
                "--precision", "int8"), "--precision applies to --weights");
        assertUsageError(run("synth", "--preset", "huge", "--out", dir.resolve("huge").toString()), "--preset");
        assertUsageError(run("synth", "--preset", "tiny", "--seed", "x", "--out", dir.resolve("x").toString()), "--seed must be an integer");
        assertUsageError(run("frobnicate"), "unknown command 'frobnicate'");
        assertEquals(2, run().code());
    }

    @Test
    void runtimeFailuresExitWith1AndNameTheFile() throws IOException {
        Path broken = dir.resolve("broken-options.json");
        Files.writeString(broken, "{\"lstm\": {}}");
        Result result = run("embed", "--options", broken.toString(), "--weights", weights.toString(), "--input", input.toString(), "--output", "mix");
        assertEquals(1, result.code());
        assertTrue(result.err().startsWith("elmo embed: " + broken), result.err());
        assertEquals(1, result.err().lines().count());

        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Result undecodable = run("embed", "--options", options.toString(), "--weights", weights.toString(), "--input", latin1.toString(), "--output", "mix");
        assertEquals(1, undecodable.code());
        assertTrue(undecodable.err().contains("--input " + latin1 + " is not valid UTF-8"), undecodable.err());
    }

    @Test
    void helpPrintsUsage() {
        Result overview = run("--help");
        assertEquals(0, overview.code());
        assertTrue(overview.out().contains("embed") && overview.out().contains("convert") && overview.out().contains("synth"));
        Result embedHelp = run("embed", "--help");
        assertEquals(0, embedHelp.code());
        assertTrue(embedHelp.out().startsWith("usage: elmo embed"), embedHelp.out());
        assertTrue(embedHelp.out().contains("--pretokenized"));
        assertEquals(embedHelp.out(), run("help", "embed").out());
    }

    private static void assertUsageError(Result result, String expected) {
        assertEquals(2, result.code(), result.err());
        assertTrue(result.err().contains(expected), "expected '" + expected + "' in: " + result.err());
        assertEquals(1, result.err().lines().count(), result.err());
    }

    private static List<String> tokens(JsonNode line) {
        List<String> tokens = new ArrayList<>();
        line.get("tokens").forEach(t -> tokens.add(t.asText()));
        return tokens;
    }

    private static void assertShape(JsonNode node, int... shape) {
        assertEquals(shape[0], node.size(), "outer size of " + node);
        for (JsonNode child : node) {
            if (shape.length > 1) {
                assertShape(child, java.util.Arrays.copyOfRange(shape, 1, shape.length));
            } else {
                assertTrue(child.isNumber());
            }
        }
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).floatValue();
        }
        return out;
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }
}
