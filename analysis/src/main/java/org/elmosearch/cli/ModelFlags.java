package org.elmosearch.cli;

import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ElmoOptions;

import java.io.IOException;
import java.util.List;

/** The flags that name a model, for the commands that run one: bilm-tf options + weights, or a converted .onnx. */
final class ModelFlags {

    static final List<Flag> FLAGS = List.of(
            Flag.value("--options", "FILE", "bilm-tf options.json (with --weights; optional with --onnx, then checked against it)"),
            Flag.value("--weights", "FILE", "bilm-tf weights.hdf5"),
            Flag.value("--onnx", "FILE", "a model made by 'elmo convert', instead of --weights (faster to load)"));

    private ModelFlags() {
    }

    static ElmoModel load(Arguments arguments) throws UsageException, IOException {
        if (!arguments.has("--onnx")) {
            if (!arguments.has("--weights")) {
                throw new UsageException("--weights (with --options) or --onnx is required");
            }
            return ElmoModel.fromBilm(arguments.existingFile("--options"), arguments.existingFile("--weights"));
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
}
