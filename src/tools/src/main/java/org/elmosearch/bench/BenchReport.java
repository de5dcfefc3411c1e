package org.elmosearch.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.elmo.OutputError;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints a benchmark result for people, and as one JSON object for scripts. */
public final class BenchReport {

    private BenchReport() {
    }

    public static void print(EncoderBenchmark.Result r, PrintStream out) {
        out.printf("preset %s: %,d parameters, %,d multiply-adds per token; %s weights, batch %d, %d threads%n",
                r.preset(), r.parameters(), r.multiplyAddsPerToken(), r.precision().id(), r.batch(), r.threads());
        out.printf("batch throughput   %,10.0f tokens/s  (token cache on, hit rate %.0f%%)%n", r.batchTokensPerSecond(), 100 * r.cacheHitRate());
        out.printf("                   %,10.0f tokens/s  (token cache off)%n", r.coldBatchTokensPerSecond());
        out.printf("8-token query      %10.2f ms median, %.2f ms p99%n", r.queryMsMedian(), r.queryMsP99());
        out.printf("query floor        %10.2f ms  (recurrent weights read once per step at %.1f GB/s copy bandwidth)%n",
                r.queryBandwidthFloorMs(), r.memoryGbPerSecond());
        out.printf("achieved           %10.1f GFLOP/s (cache off) of %.1f GFLOP/s sgemm peak: efficiency %.0f%%%n",
                r.achievedGflops(), r.peakGflops(), 100 * r.efficiency());
        r.stageMillis().forEach((stage, ms) -> out.printf("  stage %-20s %8.2f ms per batch%n", stage, ms));
        out.printf("peak memory        %10.0f MB resident%n", r.peakRssMb());
        if (r.errorVsFloat32() != null) {
            OutputError e = r.errorVsFloat32();
            out.printf("error vs float32   max abs %.3g, cosine mean %.6f, min %.6f (all layers, %,d token vectors)%n",
                    e.maxAbs(), e.meanCosine(), e.minCosine(), e.tokenVectors());
        }
    }

    public static String json(EncoderBenchmark.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", r.preset());
        m.put("batch", r.batch());
        m.put("threads", r.threads());
        m.put("precision", r.precision().id());
        m.put("batch_tokens_per_s", round(r.batchTokensPerSecond()));
        m.put("batch_tokens_per_s_cache_off", round(r.coldBatchTokensPerSecond()));
        m.put("token_cache_hit_rate", round(r.cacheHitRate()));
        m.put("query_ms_median", round(r.queryMsMedian()));
        m.put("query_ms_p99", round(r.queryMsP99()));
        m.put("query_floor_ms", round(r.queryBandwidthFloorMs()));
        m.put("achieved_gflops", round(r.achievedGflops()));
        m.put("peak_gflops", round(r.peakGflops()));
        m.put("efficiency", round(r.efficiency()));
        Map<String, Object> stages = new LinkedHashMap<>();
        r.stageMillis().forEach((k, v) -> stages.put(k, round(v)));
        m.put("stage_ms", stages);
        m.put("peak_rss_mb", round(r.peakRssMb()));
        m.put("multiply_adds_per_token", r.multiplyAddsPerToken());
        m.put("parameters", r.parameters());
        if (r.errorVsFloat32() != null) {
            m.put("error_max_abs", r.errorVsFloat32().maxAbs());
            m.put("cosine_mean", r.errorVsFloat32().meanCosine());
            m.put("cosine_min", r.errorVsFloat32().minCosine());
        }
        try {
            return new ObjectMapper().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
