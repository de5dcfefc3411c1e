package org.elmosearch.cli;

import org.elmosearch.elmo.SyntheticModel;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code elmo synth}: a model with random weights in a published architecture, for tests and benchmarks. */
final class SynthCommand implements Command {

    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String summary() {
        return "Write a random-weight model (options.json + weights.hdf5) in a published ELMo architecture.";
    }

    @Override
    public String details() {
        return """
                Presets: tiny (P=16, C=64: the size of the AllenNLP test fixture), small (2x1024_128),
                medium (2x2048_256), original (2x4096_512). The weights are random: the vectors have the right
                shapes and cost but carry no meaning. The same preset and seed always give the same files.
                """;
    }

    @Override
    public List<Flag> flags() {
        return List.of(
                Flag.value("--preset", "NAME", "tiny, small, medium or original (required)"),
                Flag.value("--seed", "N", "random seed (default 0)"),
                Flag.value("--out", "DIR", "folder for options.json and weights.hdf5; created if missing (required)"));
    }

    /** The required {@code --preset} flag, shared with {@code bench}. */
    static SyntheticModel.Preset preset(Arguments arguments) throws UsageException {
        try {
            return SyntheticModel.Preset.parse(arguments.required("--preset"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--preset: " + e.getMessage());
        }
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        SyntheticModel.Preset preset = preset(arguments);
        long seed = arguments.longInteger("--seed", 0);
        Path dir = arguments.outputPath("--out");
        SyntheticModel.write(SyntheticModel.randomWeights(preset.options(), seed), dir);
        err.printf("wrote %s and %s (%s preset, seed %d)%n", dir.resolve("options.json"), dir.resolve("weights.hdf5"),
                preset.name().toLowerCase(java.util.Locale.ROOT), seed);
        return ElmoCli.OK;
    }
}
