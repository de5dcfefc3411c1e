package org.elmosearch.eval;

import java.util.List;
import java.util.Map;

/**
 * Per-query ranking metrics with graded judgements, as BEIR computes them with trec_eval: a passage is relevant when
 * its grade is above 0, and nDCG gains are the grades themselves (not 2^grade - 1) discounted by log2(rank + 1).
 * A ranking holds passage ids, best first; unjudged passages count as not relevant.
 */
public final class Metrics {

    private Metrics() {
    }

    /** Normalized discounted cumulative gain of the first {@code k} results; 0 when no passage is relevant. */
    public static double ndcg(List<String> ranking, Map<String, Integer> grades, int k) {
        double dcg = 0;
        for (int rank = 1; rank <= Math.min(k, ranking.size()); rank++) {
            dcg += gain(grades, ranking.get(rank - 1)) / log2(rank + 1);
        }
        List<Integer> ideal = grades.values().stream().filter(g -> g > 0).sorted((a, b) -> b - a).toList();
        double idealDcg = 0;
        for (int rank = 1; rank <= Math.min(k, ideal.size()); rank++) {
            idealDcg += ideal.get(rank - 1) / log2(rank + 1);
        }
        return idealDcg == 0 ? 0 : dcg / idealDcg;
    }

    /** 1 / the rank of the first relevant result within the first {@code k}; 0 when there is none. */
    public static double reciprocalRank(List<String> ranking, Map<String, Integer> grades, int k) {
        for (int rank = 1; rank <= Math.min(k, ranking.size()); rank++) {
            if (gain(grades, ranking.get(rank - 1)) > 0) {
                return 1.0 / rank;
            }
        }
        return 0;
    }

    /** The share of relevant passages found in the first {@code k} results; 0 when no passage is relevant. */
    public static double recall(List<String> ranking, Map<String, Integer> grades, int k) {
        long relevant = grades.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) {
            return 0;
        }
        long found = ranking.stream().limit(k).filter(id -> gain(grades, id) > 0).count();
        return (double) found / relevant;
    }

    private static int gain(Map<String, Integer> grades, String id) {
        return Math.max(0, grades.getOrDefault(id, 0));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
