package org.elmosearch.elmo;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken model files must fail with a message that says what is wrong; odd text must still encode. */
class BadInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ElmoOptions TINY = SyntheticModel.Preset.TINY.options();

    private static ElmoWeights weights;
    private static ElmoEncoder encoder;

    @BeforeAll
    static void load() {
        weights = SyntheticModel.randomWeights(TINY, 17);
        encoder = new ElmoEncoder(ElmoModel.fromWeights(weights), 1);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    // ---- options.json

    static Stream<Arguments> brokenOptions() {
        return Stream.of(
                broken("no lstm section", root -> root.remove("lstm"), "lstm"),
                broken("no filters", root -> cnn(root).remove("filters"), "char_cnn.filters"),
                broken("a filter wider than a token", root -> cnn(root).withArray("filters").addArray().add(51).add(8),
                        "max_characters_per_token"),
                broken("300 characters", root -> cnn(root).put("n_characters", 300), "char_cnn.n_characters"),
                broken("a negative cell size", root -> lstm(root).put("dim", -64), "lstm.dim"),
                broken("a negative projection", root -> lstm(root).put("projection_dim", -1), "lstm.projection_dim"),
                broken("a projection wider than the cell", root -> lstm(root).put("projection_dim", 128), "lstm.projection_dim"),
                broken("a zero char embedding", root -> cnn(root).withObject("embedding").put("dim", 0), "char_cnn.embedding.dim"),
                broken("a negative highway count", root -> cnn(root).put("n_highway", -1), "char_cnn.n_highway"),
                broken("a negative filter count", root -> cnn(root).withArray("filters").addArray().add(2).add(-8), "char_cnn.filters"),
                broken("a negative clip", root -> lstm(root).put("cell_clip", -3), "lstm.cell_clip"),
                broken("gelu", root -> cnn(root).put("activation", "gelu"), "char_cnn.activation"),
                broken("a fractional layer count", root -> lstm(root).put("n_layers", 1.5), "lstm.n_layers"));
    }

    private static Arguments broken(String what, Consumer<ObjectNode> change, String key) {
        return Arguments.of(what, change, key);
    }

    private static ObjectNode cnn(ObjectNode root) {
        return (ObjectNode) root.get("char_cnn");
    }

    private static ObjectNode lstm(ObjectNode root) {
        return (ObjectNode) root.get("lstm");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenOptions")
    void brokenOptionsNameTheKey(String what, Consumer<ObjectNode> change, String key, @TempDir Path dir) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(TINY.toJson());
        change.accept(root);
        Path file = Files.writeString(dir.resolve("options.json"), root.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ElmoOptions.read(file));
        assertTrue(e.getMessage().contains(key), "message should name " + key + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "message should name the file: " + e.getMessage());
    }

    @Test
    void optionsThatAreNotJsonSaySo(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("options.json"), "lstm: {dim: 64}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ElmoOptions.read(file));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) {
        Path absent = dir.resolve("absent");
        assertEquals(absent.toString(), assertThrows(NoSuchFileException.class, () -> ElmoOptions.read(absent)).getFile());
        assertEquals(absent.toString(), assertThrows(NoSuchFileException.class, () -> ElmoWeights.read(TINY, absent)).getFile());
        assertEquals(absent.toString(), assertThrows(NoSuchFileException.class, () -> ElmoModel.fromOnnx(absent)).getFile());
    }

    // ---- weights.hdf5

    @Test
    void aMissingDatasetIsNamed(@TempDir Path dir) throws IOException {
        Map<String, ElmoWeights.Tensor> tensors = new LinkedHashMap<>(weights.tensors());
        tensors.remove("CNN_high_1/b_carry");
        Path file = dir.resolve("weights.hdf5");
        SyntheticModel.writeHdf5(tensors, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ElmoWeights.read(TINY, file));
        assertTrue(e.getMessage().contains("CNN_high_1/b_carry is missing"), e.getMessage());
    }

    @Test
    void aDatasetOfTheWrongShapeIsNamedWithBothShapes(@TempDir Path dir) throws IOException {
        Map<String, ElmoWeights.Tensor> tensors = new LinkedHashMap<>(weights.tensors());
        String name = ElmoWeights.lstm(1, 1, "W_0");
        tensors.put(name, new ElmoWeights.Tensor(tensors.get(name).data(), new int[]{256, 32}));
        Path file = dir.resolve("weights.hdf5");
        SyntheticModel.writeHdf5(tensors, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ElmoWeights.read(TINY, file));
        assertTrue(e.getMessage().contains(name + " has shape [256, 32], the options expect [32, 256]"), e.getMessage());
    }

    @Test
    void aFileThatIsNotHdf5SaysSo(@TempDir Path dir) throws IOException {
        for (byte[] content : List.of(new byte[0], "not HDF5 at all".getBytes(StandardCharsets.UTF_8))) {
            Path file = Files.write(dir.resolve("weights.hdf5"), content);
            IOException e = assertThrows(IOException.class, () -> ElmoWeights.read(TINY, file));
            assertTrue(e.getMessage().contains("not a readable HDF5 file"), e.getMessage());
        }
    }

    /** An interrupted download still opens; without a check the dataset stored last could read as garbage. */
    @Test
    void aTruncatedFileIsRejectedWhereverItIsCut(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("weights.hdf5");
        SyntheticModel.writeHdf5(weights, whole);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut.hdf5");
        for (int length = bytes.length - 1; length > 0; length -= 3001) {
            Files.write(cut, Arrays.copyOf(bytes, length));
            IOException e = assertThrows(IOException.class, () -> ElmoWeights.read(TINY, cut), "cut to " + length + " bytes");
            assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        }
    }

    /** Every object header carries a checksum: a damaged one must read as a damaged file, not as a missing dataset. */
    @Test
    void aDamagedObjectHeaderIsReportedAsUnreadable(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("weights.hdf5");
        SyntheticModel.writeHdf5(weights, whole);
        byte[] bytes = Files.readAllBytes(whole);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        Path damaged = dir.resolve("damaged.hdf5");
        int headers = 0;
        for (int at = text.indexOf("OHDR"); at >= 0; at = text.indexOf("OHDR", at + 1)) {
            byte[] copy = bytes.clone();
            copy[at + 6] ^= 0x5a;
            Files.write(damaged, copy);
            IOException e = assertThrows(IOException.class, () -> ElmoWeights.read(TINY, damaged), "header at " + at);
            assertTrue(e.getMessage().contains("not a readable HDF5 file"), e.getMessage());
            headers++;
        }
        assertTrue(headers > 40, "one header per group and dataset, found " + headers);
    }

    // ---- model.onnx

    @Test
    void aFileThatIsNotOnnxSaysSo(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("model.onnx"), TINY.toJson());
        IOException e = assertThrows(IOException.class, () -> ElmoModel.fromOnnx(file));
        assertTrue(e.getMessage().contains("not an ONNX model"), e.getMessage());
    }

    @Test
    void anOnnxGraphWithoutOurOptionsSaysHowToConvert(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.onnx");
        Files.write(file, ElmoGraphBuilder.build(weights, WeightPrecision.FLOAT32).toBuilder().clearMetadataProps().build().toByteArray());
        IOException e = assertThrows(IOException.class, () -> ElmoModel.fromOnnx(file));
        assertTrue(e.getMessage().contains("no elmo.options metadata") && e.getMessage().contains("convert"), e.getMessage());
    }

    @Test
    void anOnnxGraphWithBrokenOptionsNamesTheKey(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("model.onnx"), withMetadata(ElmoGraphBuilder.OPTIONS_KEY, "{\"char_cnn\": {}}").toByteArray());
        IOException e = assertThrows(IOException.class, () -> ElmoModel.fromOnnx(file));
        assertTrue(e.getMessage().contains("lstm"), e.getMessage());
    }

    @Test
    void anOnnxGraphOfAnotherGraphVersionSaysToConvertAgain(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("model.onnx"), withMetadata(ElmoGraphBuilder.VERSION_KEY, "1").toByteArray());
        IOException e = assertThrows(IOException.class, () -> ElmoModel.fromOnnx(file));
        assertTrue(e.getMessage().contains("graph version 1") && e.getMessage().contains("convert"), e.getMessage());
    }

    /** The graph of {@code weights} with one metadata entry replaced. */
    private static ModelProto withMetadata(String key, String value) {
        ModelProto built = ElmoGraphBuilder.build(weights, WeightPrecision.FLOAT32);
        ModelProto.Builder proto = built.toBuilder().clearMetadataProps();
        built.getMetadataPropsList().stream().filter(p -> !p.getKey().equals(key)).forEach(proto::addMetadataProps);
        return proto.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value)).build();
    }

    // ---- text

    private static final String HUGE_TOKEN = "é".repeat(10_000);

    @Test
    void anyTextEncodesToOneFiniteVectorPerToken() {
        List<List<String>> sentences = List.of(
                List.of("\u0000", "\t", "\n", "\r\n", " ", "\u007f", "\u001b[31m", "\u200b", "\ufeff", "\uffff"),
                List.of("Ελληνικά", "русский", "עברית", "العربية", "हिन्दी", "ไทย", "中文", "한국어", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"),
                List.of("🦙", "👩‍👩‍👧", "🇫🇷", "❤️", "🏳️‍🌈"),
                List.of("", "\uD800", "a\uDC00b", "<S>", "</S>"),
                List.of(HUGE_TOKEN),
                List.of());
        BiLmOutput out = encoder.encode(sentences);
        assertEquals(sentences.size(), out.layers().size());
        for (int s = 0; s < sentences.size(); s++) {
            float[][][] layers = out.layers().get(s);
            assertEquals(TINY.outputLayers(), layers.length);
            for (float[][] layer : layers) {
                assertEquals(sentences.get(s).size(), layer.length, "sentence " + s);
                for (float[] vector : layer) {
                    assertEquals(TINY.outputDim(), vector.length);
                    for (float x : vector) {
                        assertTrue(Float.isFinite(x), "sentence " + s + " has a non-finite value");
                    }
                }
            }
        }
        // A NUL character is byte 0 like any other, not padding: its token is not masked away.
        assertFalse(Arrays.equals(new float[TINY.outputDim()], out.layers().get(0)[0][0]));
    }

    @Test
    void aTokenIsCutToItsFirst48BytesAndLoneSurrogatesAreDropped() {
        BiLmOutput out = encoder.encode(List.of(
                List.of(HUGE_TOKEN, "é".repeat(24), "", "\uD800", "ab", "a\uDC00b")));
        float[][] tokenLayer = out.layers().get(0)[0];
        assertArrayEquals(tokenLayer[0], tokenLayer[1], "10,000 characters embed as their first 48 bytes");
        assertArrayEquals(tokenLayer[2], tokenLayer[3], "a lone surrogate is dropped, as Python's encode('utf-8', 'ignore')");
        assertArrayEquals(tokenLayer[4], tokenLayer[5]);
    }

    @Test
    void emptyBatchesAndEmptySentencesAreFine() {
        assertEquals(List.of(), encoder.encode(List.of()).layers());
        BiLmOutput out = encoder.encode(List.of(List.of(), List.of()));
        assertEquals(2, out.layers().size());
        assertEquals(0, out.layers().get(1)[TINY.lstmLayers()].length);
        assertEquals(2, out.finalState().batch());
    }

    @Test
    void aStateForAnotherBatchSizeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> encoder.encode(List.of(List.of("a"), List.of("b")), LstmState.zeros(TINY, 3)));
        assertTrue(e.getMessage().contains("initial state"), e.getMessage());
    }
}
