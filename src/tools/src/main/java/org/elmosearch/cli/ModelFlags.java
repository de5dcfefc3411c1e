package org.elmosearch.cli;

import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.WeightPrecision;
import org.elmosearch.model.ModelDirectory;

import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;

/**
 * The flags that name a model, for the commands that run one: a model folder (with its token statistics, if
 * {@code elmo fit} wrote them), bilm-tf options + weights, or a converted .onnx.
 */
final class ModelFlags {

    static final List<Flag> FLAGS = List.of(
            Flag.value("--model", "DIR", "a model folder: options.json + weights.hdf5 or model.onnx, and token-statistics.json if 'elmo fit' wrote it"),
            Flag.value("--options", "FILE", "bilm-tf options.json (with --weights; optional with --onnx, then checked against it)"),
            Flag.value("--weights", "FILE", "bilm-tf weights.hdf5"),
            Flag.value("--onnx", "FILE", "a model made by 'elmo convert', instead of --weights (faster to load)"),
            Flag.value("--precision", "P", "with --weights or --model: float32 (default, exact) or int8 (opt-in: a quarter of the weight memory, small error)"));

    private ModelFlags() {
    }

    /** Whether any model flag was given. */
    static boolean given(Arguments arguments) {
        return FLAGS.stream().map(Flag::name).anyMatch(arguments::has);
    }

    /** The model the flags name; its statistics are null unless it came from a folder that has them. */
    static ModelDirectory load(Arguments arguments) throws UsageException, IOException {
        if (arguments.has("--model")) {
            if (Stream.of("--options", "--weights", "--onnx").anyMatch(arguments::has)) {
                throw new UsageException("--model names a folder that holds the model files: leave out --options, --weights and --onnx");
            }
            return ModelDirectory.load(arguments.existingDirectory("--model"), arguments.has("--precision") ? precision(arguments) : null);
        }
        return new ModelDirectory(null, loadFiles(arguments), null);
    }

    private static ElmoModel loadFiles(Arguments arguments) throws UsageException, IOException {
        if (!arguments.has("--onnx")) {
            if (!arguments.has("--weights")) {
                throw new UsageException("--model, --weights (with --options) or --onnx is required");
            }
            return ElmoModel.fromBilm(arguments.existingFile("--options"), arguments.existingFile("--weights"), precision(arguments));
        }
        if (arguments.has("--precision")) {
            throw new UsageException("--precision applies to --weights: the .onnx file was converted in its own precision (elmo convert --precision)");
        }
        if (arguments.has("--weights")) {
            throw new UsageException("--weights and --onnx cannot be used together: the .onnx file already holds the weights");
        }
        ElmoModel model = ElmoModel.fromOnnx(arguments.existingFile("--onnx"));
        if (arguments.has("--options")) {
            ElmoOptions given = ElmoOptions.read(arguments.existingFile("--options"));
            if (!given.equals(model.options())) {
                throw new UsageException("--options " + arguments.required("--options")
                        + " does not describe the model in --onnx " + arguments.required("--onnx"));
            }
        }
        return model;
    }

    static WeightPrecision precision(Arguments arguments) throws UsageException {
        try {
            return WeightPrecision.parse(arguments.optional("--precision").orElse(WeightPrecision.FLOAT32.id()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--precision: " + e.getMessage());
        }
    }
}
