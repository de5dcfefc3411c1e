package org.elmosearch.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): each result scores the sum over rankings of
 * {@code 1 / (k + rank)}, rank counted from 1, so that rankings with incomparable scores (BM25, cosine) merge by
 * position alone. {@code k = 60} is the paper's and Elasticsearch's default.
 */
public final class RankFusion {

    public static final int DEFAULT_K = 60;

    private RankFusion() {
    }

    /** The fused ranking, best first, at most {@code depth} long; ties go to the id first seen in the rankings. */
    public static List<String> reciprocalRank(List<List<String>> rankings, int k, int depth) {
        if (k < 1 || depth < 1) {
            throw new IllegalArgumentException("k and depth must be >= 1, got " + k + " and " + depth);
        }
        Map<String, Double> scores = new HashMap<>();
        Map<String, Integer> firstSeen = new HashMap<>();
        for (List<String> ranking : rankings) {
            for (int rank = 1; rank <= ranking.size(); rank++) {
                String id = ranking.get(rank - 1);
                scores.merge(id, 1.0 / (k + rank), Double::sum);
                firstSeen.putIfAbsent(id, firstSeen.size());
            }
        }
        return scores.keySet().stream()
                .sorted((a, b) -> {
                    int byScore = Double.compare(scores.get(b), scores.get(a));
                    return byScore != 0 ? byScore : Integer.compare(firstSeen.get(a), firstSeen.get(b));
                })
                .limit(depth)
                .toList();
    }
}
