package org.elmosearch.bench;

import org.elmosearch.elmo.CharacterMapper;
import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ElmoWeights;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.elmo.OutputError;
import org.elmosearch.elmo.WeightPrecision;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.embed.TextLayers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the encoder on random weights of a preset: batch throughput, single-query latency, achieved GFLOP/s
 * against the machine's sgemm peak, time per stage and peak memory. Figures, never pass/fail.
 */
public final class EncoderBenchmark {

    public static final int BATCH_SENTENCES = 64;
    static final int QUERY_TOKENS = 8;
    static final int QUERY_RUNS = 60;
    static final int ROUNDS = 5;

    private final SyntheticModel.Preset preset;
    private final ElmoWeights weights;
    private final ElmoModel model;
    private final ModelCost cost;

    public EncoderBenchmark(SyntheticModel.Preset preset, WeightPrecision precision) {
        this.preset = preset;
        this.weights = SyntheticModel.randomWeights(preset.options(), 42);
        this.model = ElmoModel.fromWeights(weights, precision);
        this.cost = ModelCost.of(preset.options());
    }

    /** Throughput of one configuration: median over rounds of fresh sentences, after a warm-up round. */
    public record Throughput(double tokensPerSecond, double gflops, double cacheHitRate) {
    }

    /**
     * Embeds 64 fresh sentences of 20..30 tokens per round, {@code batch} at a time; with the cache on, later rounds
     * find the frequent words cached, as a long-running node does.
     */
    public Throughput throughput(int batch, int threads, boolean cache) {
        SyntheticText text = new SyntheticText(7);
        try (ElmoEncoder encoder = new ElmoEncoder(model, threads, cache ? ElmoEncoder.defaultCacheTokens(preset.options()) : 0)) {
            encode(encoder, text.sentences(BATCH_SENTENCES, 20, 30), batch);
            double[] rates = new double[ROUNDS];
            double[] gflops = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                List<List<String>> sentences = text.sentences(BATCH_SENTENCES, 20, 30);
                long start = System.nanoTime();
                double flops = encode(encoder, sentences, batch);
                double seconds = (System.nanoTime() - start) / 1e9;
                rates[r] = sentences.stream().mapToLong(List::size).sum() / seconds;
                gflops[r] = flops / seconds / 1e9;
            }
            return new Throughput(median(rates), median(gflops), encoder.tokenCacheStats().hitRate());
        }
    }

    /** Median and 99th percentile milliseconds of one 8-token query, each query new. */
    public double[] queryLatency(int threads) {
        SyntheticText text = new SyntheticText(11);
        double[] millis = new double[QUERY_RUNS];
        try (ElmoEncoder encoder = new ElmoEncoder(model, threads)) {
            encoder.encode(text.sentences(4, QUERY_TOKENS, QUERY_TOKENS));
            for (int i = 0; i < QUERY_RUNS; i++) {
                List<List<String>> query = text.sentences(1, QUERY_TOKENS, QUERY_TOKENS);
                long start = System.nanoTime();
                encoder.encode(query);
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        Arrays.sort(millis);
        return new double[]{millis[millis.length / 2], millis[(int) Math.ceil(millis.length * 0.99) - 1]};
    }

    public Result run(int batch, int threads) throws IOException {
        Throughput warm = throughput(batch, threads, true);
        // Efficiency counts the work actually done, so it is taken with the cache off.
        Throughput cold = throughput(batch, threads, false);
        double[] latency = queryLatency(threads);
        double peak = SgemmPeak.gflops(threads, 1024, 5);
        List<List<String>> profiled = new SyntheticText(13).sentences(Math.min(batch, BATCH_SENTENCES), 20, 30);
        Map<String, Double> stages = new java.util.LinkedHashMap<>(StageProfiler.millisPerStage(model, threads, profiled, 3));
        stages.put("mix_pool", mixAndPoolMillis(profiled, threads));
        double bandwidth = MemoryBandwidth.gigabytesPerSecond();
        double floorMs = (QUERY_TOKENS + 2) * cost.recurrentBytes(model.precision()) / (bandwidth * 1e9) * 1e3;
        // Read before the error check, which builds a float32 graph beside this one.
        double peakRss = peakRssMegabytes();
        OutputError error = model.precision() == WeightPrecision.FLOAT32 ? null : errorAgainstFloat32(threads);
        return new Result(preset.name().toLowerCase(Locale.ROOT), model.precision(), batch, threads, warm.tokensPerSecond(),
                warm.cacheHitRate(), cold.tokensPerSecond(), latency[0], latency[1], cold.gflops(), peak, cold.gflops() / peak,
                stages, peakRss, bandwidth, floorMs, cost.perToken(), model.parameterCount(), error);
    }

    /** The layers of this model against the float32 graph of the same weights, on 64 fresh sentences. */
    private OutputError errorAgainstFloat32(int threads) {
        List<List<String>> sentences = new SyntheticText(17).sentences(BATCH_SENTENCES, 20, 30);
        try (ElmoEncoder exact = new ElmoEncoder(ElmoModel.fromWeights(weights, WeightPrecision.FLOAT32), threads, 0);
             ElmoEncoder encoder = new ElmoEncoder(model, threads, 0)) {
            return OutputError.of(exact.encode(sentences).layers(), encoder.encode(sentences).layers());
        }
    }

    /** Tokens/s with the cache on for each batch size and thread count, drawn as a PNG. */
    public Map<Integer, double[]> plotThroughput(Path png, List<Integer> batches, List<Integer> threadCounts) throws IOException {
        Map<Integer, double[]> series = new java.util.TreeMap<>();
        for (int threads : threadCounts) {
            double[] rates = new double[batches.size()];
            for (int i = 0; i < batches.size(); i++) {
                rates[i] = throughput(batches.get(i), threads, true).tokensPerSecond();
            }
            series.put(threads, rates);
        }
        ThroughputPlot.write(png, "ELMo " + preset.name().toLowerCase(Locale.ROOT) + " (random weights): tokens/s", batches, series);
        return series;
    }

    /** Milliseconds to mix the layers and pool the tokens of these sentences (the part that runs in Java), median of rounds. */
    private double mixAndPoolMillis(List<List<String>> sentences, int threads) {
        List<TextLayers> texts;
        try (ElmoEncoder encoder = new ElmoEncoder(model, threads)) {
            List<float[][][]> layers = encoder.encode(sentences).layers();
            texts = java.util.stream.IntStream.range(0, sentences.size())
                    .mapToObj(i -> new TextLayers(List.of(), false, layers.get(i))).toList();
        }
        EmbeddingOptions options = EmbeddingOptions.defaults(preset.options());
        double[] millis = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long start = System.nanoTime();
            texts.forEach(text -> ElmoEmbedder.embed(text, options));
            millis[r] = (System.nanoTime() - start) / 1e6;
        }
        return median(millis);
    }

    /** Encodes in batches of {@code batch}; returns the floating-point operations done (char CNN per distinct token of a batch). */
    private double encode(ElmoEncoder encoder, List<List<String>> sentences, int batch) {
        double flops = 0;
        for (int i = 0; i < sentences.size(); i += batch) {
            List<List<String>> part = sentences.subList(i, Math.min(sentences.size(), i + batch));
            encoder.encode(part);
            List<String> distinct = java.util.stream.Stream.concat(part.stream().flatMap(List::stream),
                    java.util.stream.Stream.of(CharacterMapper.BOS_TOKEN, CharacterMapper.EOS_TOKEN)).distinct().toList();
            long positions = part.stream().mapToLong(s -> s.size() + 2).sum();
            flops += cost.flops(distinct.size(), encoder.charCnnPositions(distinct), positions);
        }
        return flops;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The process's resident-memory high-water mark (VmHWM), or -1 where /proc is not there. */
    static double peakRssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** What one benchmark run measured. */
    public record Result(String preset, WeightPrecision precision, int batch, int threads, double batchTokensPerSecond, double cacheHitRate,
                         double coldBatchTokensPerSecond, double queryMsMedian, double queryMsP99, double achievedGflops,
                         double peakGflops, double efficiency, Map<String, Double> stageMillis, double peakRssMb,
                         double memoryGbPerSecond, double queryBandwidthFloorMs, long multiplyAddsPerToken, long parameters,
                         OutputError errorVsFloat32) {
    }
}
