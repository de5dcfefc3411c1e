package org.elmosearch.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@link Evaluation.Results} as a table for people and one JSON object for programs. */
public final class EvalReport {

    private static final double MB = 1024 * 1024;

    private EvalReport() {
    }

    public static void print(Evaluation.Results results, PrintStream out) {
        EvalIndex.Summary index = results.index();
        out.printf(Locale.ROOT, "index: %,d passages, %.1f MB: text %.1f MB", index.passages(), index.size().total() / MB, index.textBytes() / MB);
        if (index.size().knnVectors() > 0) {
            out.printf(Locale.ROOT, ", pooled vectors %.1f MB", index.size().knnVectors() / MB);
        }
        if (index.tokens() > 0) {
            out.printf(Locale.ROOT, ", token vectors %.1f MB (%s, %,d tokens, %.1f bytes per token)", index.size().docValues() / MB,
                    index.tokenEncoding().name().toLowerCase(Locale.ROOT), index.tokens(), index.bytesPerToken());
        }
        out.printf(Locale.ROOT, "; embedding %.1f s, writing %.1f s%n%n", index.embedSeconds(), index.writeSeconds());
        out.printf(Locale.ROOT, "%-19s %8s %8s %10s %10s %8s %14s %8s %9s%n", "method", "nDCG@10", "MRR@10", "Recall@100",
                "median ms", "p99 ms", "rescore ms/100", "build s", "index MB");
        for (MethodResult r : results.methods()) {
            out.printf(Locale.ROOT, "%-19s %8.4f %8.4f %10.4f %10.2f %8.2f %14s %8.1f %9.1f%n", r.method().label(), r.ndcgAt10(),
                    r.mrrAt10(), r.recallAt100(), r.queryMsMedian(), r.queryMsP99(),
                    Double.isNaN(r.rescoreMsPer100Hits()) ? "-" : String.format(Locale.ROOT, "%.2f", r.rescoreMsPer100Hits()),
                    r.buildSeconds(), r.indexBytes() / MB);
        }
        out.printf(Locale.ROOT, "(%,d queries per method; latency from query text to ranking, embedding included, after %d warm-up queries)%n",
                results.methods().getFirst().queries(), Evaluation.WARM_UP_QUERIES);
        for (MethodResult r : results.methods()) {
            out.printf(Locale.ROOT, "  %-19s %s%n", r.method().label(), r.method().description());
        }
    }

    /**
     * One object keyed by method label; figures in snake case, times in ms or s as named.
     *
     * @param halves whether to add each half's nDCG@10 (the queries at even and odd positions of the run): only
     *               meaningful when the run was not already one half
     */
    public static String json(Evaluation.Results results, boolean halves) {
        Map<String, Object> byMethod = new LinkedHashMap<>();
        for (MethodResult r : results.methods()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("queries", r.queries());
            figures.put("ndcg_at_10", r.ndcgAt10());
            figures.put("ndcg@10", r.ndcgAt10());
            if (halves) {
                figures.put("ndcg_at_10_even_queries", r.ndcgAt10Even());
            }
            if (halves && !Double.isNaN(r.ndcgAt10Odd())) {
                figures.put("ndcg_at_10_odd_queries", r.ndcgAt10Odd());
            }
            figures.put("mrr_at_10", r.mrrAt10());
            figures.put("recall_at_100", r.recallAt100());
            figures.put("query_ms_median", r.queryMsMedian());
            figures.put("query_ms_p99", r.queryMsP99());
            if (!Double.isNaN(r.rescoreMsPer100Hits())) {
                figures.put("rescore_ms_per_100_hits", r.rescoreMsPer100Hits());
            }
            figures.put("build_s", r.buildSeconds());
            figures.put("index_bytes", r.indexBytes());
            if (r.method().needsTokenVectors()) {
                figures.put("token_vector_encoding", results.index().tokenEncoding().name().toLowerCase(Locale.ROOT));
                figures.put("token_vector_bytes_per_token", results.index().bytesPerToken());
            }
            byMethod.put(r.method().label(), figures);
        }
        try {
            return new ObjectMapper().writeValueAsString(byMethod);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
