package org.elmosearch.elmo;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An ELMo biLM ready to run: its options and its ONNX graph. Made from bilm-tf {@code options.json} +
 * {@code weights.hdf5}, or loaded from an {@code .onnx} file this class saved (the options travel inside it, so
 * the HDF5 file is no longer needed).
 */
public final class ElmoModel {

    private final ElmoOptions options;
    private final byte[] onnx;
    private final long parameterCount;
    private final WeightPrecision precision;

    private ElmoModel(ElmoOptions options, byte[] onnx, long parameterCount, WeightPrecision precision) {
        this.options = options;
        this.onnx = onnx;
        this.parameterCount = parameterCount;
        this.precision = precision;
    }

    public static ElmoModel fromBilm(Path optionsFile, Path weightsFile) throws IOException {
        return fromBilm(optionsFile, weightsFile, WeightPrecision.FLOAT32);
    }

    public static ElmoModel fromBilm(Path optionsFile, Path weightsFile, WeightPrecision precision) throws IOException {
        ElmoOptions options = ElmoOptions.read(optionsFile);
        return fromWeights(ElmoWeights.read(options, weightsFile), precision);
    }

    public static ElmoModel fromWeights(ElmoWeights weights) {
        return fromWeights(weights, WeightPrecision.FLOAT32);
    }

    /** The graph of these weights, its matrix products in the given precision (see {@link WeightPrecision}). */
    public static ElmoModel fromWeights(ElmoWeights weights, WeightPrecision precision) {
        ModelProto proto = ElmoGraphBuilder.build(weights, precision);
        return new ElmoModel(weights.options(), proto.toByteArray(), weights.parameterCount(), precision);
    }

    /** Loads a graph saved by {@link #saveOnnx}. */
    public static ElmoModel fromOnnx(Path onnxFile) throws IOException {
        if (!Files.isRegularFile(onnxFile)) {
            throw new NoSuchFileException(onnxFile.toString(), null, "ONNX model file not found");
        }
        byte[] bytes = Files.readAllBytes(onnxFile);
        ModelProto proto;
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            proto = ModelProto.parseFrom(in);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IOException(onnxFile + ": not an ONNX model: " + e.getMessage(), e);
        }
        String json = metadata(proto, ElmoGraphBuilder.OPTIONS_KEY).orElseThrow(() -> new IOException(onnxFile + ": not an ELMo graph made by elmo-search (no "
                        + ElmoGraphBuilder.OPTIONS_KEY + " metadata); convert the options.json + weights.hdf5 with `bin/elmo convert`"));
        String version = metadata(proto, ElmoGraphBuilder.VERSION_KEY).orElse("1");
        if (!version.equals(Integer.toString(ElmoGraphBuilder.GRAPH_VERSION))) {
            throw new IOException(onnxFile + ": graph version " + version + " was made by another version of elmo-search, this one reads version "
                    + ElmoGraphBuilder.GRAPH_VERSION + "; convert the options.json + weights.hdf5 again with `bin/elmo convert`");
        }
        ElmoOptions options;
        try {
            options = ElmoOptions.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(onnxFile + ": " + e.getMessage(), e);
        }
        long parameters;
        try {
            parameters = Long.parseLong(metadata(proto, ElmoGraphBuilder.PARAMETERS_KEY).orElse("-1"));
        } catch (NumberFormatException e) {
            throw new IOException(onnxFile + ": " + ElmoGraphBuilder.PARAMETERS_KEY + " metadata is not a number", e);
        }
        WeightPrecision precision;
        try {
            // Graphs saved before int8 weights existed carry no precision: they are float32.
            precision = WeightPrecision.parse(metadata(proto, ElmoGraphBuilder.PRECISION_KEY).orElse(WeightPrecision.FLOAT32.id()));
        } catch (IllegalArgumentException e) {
            throw new IOException(onnxFile + ": " + e.getMessage(), e);
        }
        return new ElmoModel(options, bytes, parameters, precision);
    }

    private static java.util.Optional<String> metadata(ModelProto proto, String key) {
        return proto.getMetadataPropsList().stream()
                .filter(p -> key.equals(p.getKey()))
                .map(StringStringEntryProto::getValue)
                .findFirst();
    }

    public void saveOnnx(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, onnx);
    }

    public ElmoOptions options() {
        return options;
    }

    /** The serialized ONNX model. */
    byte[] onnxBytes() {
        return onnx;
    }

    /** The serialized graph's size in bytes: what ONNX Runtime is handed, its weights included. */
    public long serializedSize() {
        return onnx.length;
    }

    /** How the graph stores the weights of its matrix products. */
    public WeightPrecision precision() {
        return precision;
    }

    /** Number of weights in the bilm-tf file the graph was built from. */
    public long parameterCount() {
        return parameterCount;
    }
}
