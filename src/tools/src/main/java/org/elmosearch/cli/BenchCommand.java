package org.elmosearch.cli;

import org.elmosearch.bench.BenchReport;
import org.elmosearch.bench.EncoderBenchmark;
import org.elmosearch.elmo.SyntheticModel;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code elmo bench}: speed and memory of the encoder on random weights of a published architecture. */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "Measure throughput, query latency, GFLOP/s against the sgemm peak, time per stage and memory.";
    }

    @Override
    public String details() {
        return """
                Builds a model with random weights of the preset (the cost of real weights is the same) and measures:
                batch throughput embedding 64 sentences of 20-30 tokens, --batch sentences per run, with the token
                cache on (later rounds find frequent words cached) and off; median and p99 latency of an 8-token
                query; achieved GFLOP/s (analytic multiply-add count, cache off) beside the machine's sgemm peak in
                ONNX Runtime (1024x1024 MatMul) and their ratio; ONNX Runtime's time per stage; peak resident memory.
                With --json the last line is one JSON object. --plot FILE also sweeps batch sizes 1, 4, 16, 64 on 1
                and 2 threads and draws tokens/s as a PNG.
                """;
    }

    @Override
    public List<Flag> flags() {
        return List.of(
                Flag.value("--preset", "NAME", "tiny, small, medium or original (required)"),
                Flag.value("--batch", "N", "sentences per encoder run (default 64)"),
                Flag.value("--threads", "N", "ONNX Runtime threads (default 2)"),
                Flag.value("--precision", "P", "weights of the matrix products: float32 (default) or int8; int8 also prints its error against float32"),
                Flag.toggle("--json", "end with one JSON object of the figures"),
                Flag.value("--plot", "FILE", "also write a PNG of tokens/s against batch size and threads"));
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        SyntheticModel.Preset preset = SynthCommand.preset(arguments);
        int batch = arguments.integer("--batch", EncoderBenchmark.BATCH_SENTENCES, 1);
        int threads = arguments.integer("--threads", 2, 1);
        Path plot = arguments.has("--plot") ? arguments.outputPath("--plot") : null;
        err.println("building a " + preset.name().toLowerCase(java.util.Locale.ROOT) + " model with random weights ...");
        EncoderBenchmark benchmark = new EncoderBenchmark(preset, ModelFlags.precision(arguments));
        EncoderBenchmark.Result result = benchmark.run(batch, threads);
        BenchReport.print(result, out);
        if (plot != null) {
            Map<Integer, double[]> series = benchmark.plotThroughput(plot, List.of(1, 4, 16, 64), List.of(1, 2));
            series.forEach((t, rates) -> out.printf("tokens/s with %d thread(s) at batch 1, 4, 16, 64: %s%n", t,
                    java.util.Arrays.stream(rates).mapToObj(r -> String.format("%,.0f", r)).toList()));
            out.println("plot: " + plot);
        }
        if (arguments.has("--json")) {
            out.println(BenchReport.json(result));
        }
        return ElmoCli.OK;
    }
}
