package org.elmosearch.elmo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of an ELMo biLM, as written in the {@code options.json} of AllenNLP / bilm-tf models.
 * Training-only keys (batch size, vocabulary size, dropout, ...) are ignored.
 *
 * @param filters               char CNN filters as (width, count) pairs, in file order
 * @param highwayLayers         {@code char_cnn.n_highway}
 * @param activation            the char CNN activation (the highway layers always use ReLU)
 * @param charEmbeddingDim      {@code char_cnn.embedding.dim}
 * @param characterCount        {@code char_cnn.n_characters} (261 when trained, 262 at inference; both accepted)
 * @param maxCharactersPerToken {@code char_cnn.max_characters_per_token}, markers included
 * @param lstmLayers            {@code lstm.n_layers}
 * @param skipConnections       {@code lstm.use_skip_connections}
 * @param cellClip              {@code lstm.cell_clip}, or NaN for none
 * @param projClip              {@code lstm.proj_clip}, or NaN for none
 * @param projectionDim         {@code lstm.projection_dim} (P): each direction's output size
 * @param cellDim               {@code lstm.dim} (C): the LSTM memory size
 */
public record ElmoOptions(
        List<Filter> filters,
        int highwayLayers,
        Activation activation,
        int charEmbeddingDim,
        int characterCount,
        int maxCharactersPerToken,
        int lstmLayers,
        boolean skipConnections,
        float cellClip,
        float projClip,
        int projectionDim,
        int cellDim) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One bank of char CNN filters of the same width. */
    public record Filter(int width, int count) {
        public Filter {
            if (width < 1 || count < 1) {
                throw new IllegalArgumentException("char_cnn.filters: width and count must be >= 1, got [" + width + ", " + count + "]");
            }
        }
    }

    /** The char CNN non-linearity. */
    public enum Activation {
        RELU, TANH;

        static Activation parse(String name) {
            return switch (name) {
                case "relu" -> RELU;
                case "tanh" -> TANH;
                default -> throw new IllegalArgumentException("char_cnn.activation must be \"relu\" or \"tanh\", got \"" + name + "\"");
            };
        }

        String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ElmoOptions {
        filters = List.copyOf(filters);
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("char_cnn.filters must not be empty");
        }
        requireAtLeast("char_cnn.n_highway", highwayLayers, 0);
        requireAtLeast("char_cnn.embedding.dim", charEmbeddingDim, 1);
        if (characterCount != 261 && characterCount != 262) {
            throw new IllegalArgumentException("char_cnn.n_characters must be 261 or 262 (256 bytes + 5 markers, + padding), got " + characterCount);
        }
        requireAtLeast("char_cnn.max_characters_per_token", maxCharactersPerToken, 3);
        for (Filter f : filters) {
            if (f.width() > maxCharactersPerToken) {
                throw new IllegalArgumentException("char_cnn.filters: width " + f.width()
                        + " is larger than max_characters_per_token " + maxCharactersPerToken);
            }
        }
        requireAtLeast("lstm.n_layers", lstmLayers, 1);
        requireAtLeast("lstm.projection_dim", projectionDim, 1);
        requireAtLeast("lstm.dim", cellDim, 1);
        if (projectionDim > cellDim) {
            // bilm-tf projects the LSTM output only down (P < C); with P > C its own graph would not fit together.
            throw new IllegalArgumentException("lstm.projection_dim (" + projectionDim + ") must not exceed lstm.dim (" + cellDim + ")");
        }
        requireClip("lstm.cell_clip", cellClip);
        requireClip("lstm.proj_clip", projClip);
    }

    private static void requireAtLeast(String key, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be >= " + min + ", got " + value);
        }
    }

    private static void requireClip(String key, float value) {
        if (!Float.isNaN(value) && !(value > 0 && Float.isFinite(value))) {
            throw new IllegalArgumentException(key + " must be a positive number, got " + value);
        }
    }

    /** Sum of the filter counts: the width of the char CNN output (F). */
    public int filterTotal() {
        return filters.stream().mapToInt(Filter::count).sum();
    }

    /** Width of every output layer: forward and backward halves (2P). */
    public int outputDim() {
        return 2 * projectionDim;
    }

    /** Number of output layers: the token layer plus one per LSTM layer. */
    public int outputLayers() {
        return lstmLayers + 1;
    }

    public boolean hasCellClip() {
        return !Float.isNaN(cellClip);
    }

    public boolean hasProjClip() {
        return !Float.isNaN(projClip);
    }

    public static ElmoOptions read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "ELMo options file not found");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static ElmoOptions parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("options are not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("options must be a JSON object with \"char_cnn\" and \"lstm\"");
        }
        JsonNode cnn = object(root, "char_cnn");
        JsonNode lstm = object(root, "lstm");
        JsonNode filterNode = required(cnn, "char_cnn", "filters");
        if (!filterNode.isArray()) {
            throw new IllegalArgumentException("char_cnn.filters must be a list of [width, count] pairs");
        }
        List<Filter> filters = new ArrayList<>();
        for (JsonNode pair : filterNode) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isIntegralNumber() || !pair.get(1).isIntegralNumber()) {
                throw new IllegalArgumentException("char_cnn.filters must be a list of [width, count] pairs, got " + pair);
            }
            filters.add(new Filter(pair.get(0).asInt(), pair.get(1).asInt()));
        }
        JsonNode embedding = object(cnn, "char_cnn", "embedding");
        return new ElmoOptions(
                filters,
                optionalInt(cnn, "char_cnn", "n_highway", 0),
                Activation.parse(cnn.path("activation").asText("relu")),
                requiredInt(embedding, "char_cnn.embedding", "dim"),
                requiredInt(cnn, "char_cnn", "n_characters"),
                requiredInt(cnn, "char_cnn", "max_characters_per_token"),
                requiredInt(lstm, "lstm", "n_layers"),
                lstm.path("use_skip_connections").asBoolean(false),
                optionalFloat(lstm, "lstm", "cell_clip"),
                optionalFloat(lstm, "lstm", "proj_clip"),
                requiredInt(lstm, "lstm", "projection_dim"),
                requiredInt(lstm, "lstm", "dim"));
    }

    /** These options in the bilm-tf {@code options.json} layout. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode lstm = root.putObject("lstm");
        lstm.put("n_layers", lstmLayers).put("dim", cellDim).put("projection_dim", projectionDim)
                .put("use_skip_connections", skipConnections);
        if (hasCellClip()) {
            lstm.put("cell_clip", cellClip);
        }
        if (hasProjClip()) {
            lstm.put("proj_clip", projClip);
        }
        ObjectNode cnn = root.putObject("char_cnn");
        cnn.putObject("embedding").put("dim", charEmbeddingDim);
        var filterArray = cnn.putArray("filters");
        filters.forEach(f -> filterArray.addArray().add(f.width()).add(f.count()));
        cnn.put("n_highway", highwayLayers).put("n_characters", characterCount)
                .put("max_characters_per_token", maxCharactersPerToken).put("activation", activation.jsonName());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode object(JsonNode parent, String key) {
        return object(parent, "", key);
    }

    private static JsonNode object(JsonNode parent, String path, String key) {
        JsonNode node = required(parent, path, key);
        if (!node.isObject()) {
            throw new IllegalArgumentException(qualified(path, key) + " must be an object");
        }
        return node;
    }

    private static JsonNode required(JsonNode parent, String path, String key) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("options lack " + qualified(path, key));
        }
        return node;
    }

    private static int requiredInt(JsonNode parent, String path, String key) {
        JsonNode node = required(parent, path, key);
        if (!node.isIntegralNumber()) {
            throw new IllegalArgumentException(qualified(path, key) + " must be an integer, got " + node);
        }
        return node.asInt();
    }

    private static int optionalInt(JsonNode parent, String path, String key, int fallback) {
        return parent.has(key) && !parent.get(key).isNull() ? requiredInt(parent, path, key) : fallback;
    }

    private static float optionalFloat(JsonNode parent, String path, String key) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            return Float.NaN;
        }
        if (!node.isNumber()) {
            throw new IllegalArgumentException(qualified(path, key) + " must be a number, got " + node);
        }
        return node.floatValue();
    }

    private static String qualified(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
