package org.elmosearch.cli;

import org.elmosearch.elmo.ElmoModel;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code elmo convert}: bilm-tf options + HDF5 weights to one self-contained {@code .onnx} file. */
final class ConvertCommand implements Command {

    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String summary() {
        return "Convert bilm-tf options.json + weights.hdf5 into one .onnx file.";
    }

    @Override
    public String details() {
        return """
                The .onnx file carries the options inside it: 'elmo embed --onnx FILE' and the Elasticsearch
                plugin load it without the HDF5 file, and faster than building the graph from HDF5.
                """;
    }

    @Override
    public List<Flag> flags() {
        return List.of(
                Flag.value("--options", "FILE", "bilm-tf options.json (required)"),
                Flag.value("--weights", "FILE", "bilm-tf weights.hdf5 (required)"),
                Flag.value("--out", "FILE", "the .onnx file to write; parent folders are created (required)"),
                Flag.value("--precision", "P", "float32 (default) or int8: matrix-product weights as 8-bit integers, a quarter of the size"));
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Path options = arguments.existingFile("--options");
        Path weights = arguments.existingFile("--weights");
        Path target = arguments.outputPath("--out");
        ElmoModel model = ElmoModel.fromBilm(options, weights, ModelFlags.precision(arguments));
        model.saveOnnx(target);
        err.printf("wrote %s (%,d parameters, %s)%n", target, model.parameterCount(), model.precision().id());
        return ElmoCli.OK;
    }
}
