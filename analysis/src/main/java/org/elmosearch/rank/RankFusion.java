package org.elmosearch.rank;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the rankings of several retrievers (BM25, kNN, a rescored BM25...) into one, by position or by score.
 * Results are identified by a key of any type: a passage id, a Lucene document, an Elasticsearch shard document.
 * Both fusions order equal fused scores by the key first seen (rankings in the order given, each best first).
 */
public final class RankFusion {

    /** Reciprocal rank fusion's {@code k}: the paper's and Elasticsearch's default. */
    public static final int DEFAULT_K = 60;

    /** A ranked result and its score: in a ranking to fuse, the retriever's own; in a fused ranking, the fused one. */
    public record Scored<K>(K key, float score) {
    }

    private RankFusion() {
    }

    /**
     * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): each result scores the sum over rankings of
     * {@code 1 / (k + rank)}, rank counted from 1, so that rankings with incomparable scores (BM25, cosine) merge by
     * position alone. Returns the fused ranking, best first, at most {@code depth} long.
     */
    public static <K> List<Scored<K>> reciprocalRank(List<? extends List<K>> rankings, int k, int depth) {
        if (k < 1 || depth < 1) {
            throw new IllegalArgumentException("k and depth must be >= 1, got " + k + " and " + depth);
        }
        Map<K, Double> fused = new LinkedHashMap<>();
        for (List<K> ranking : rankings) {
            for (int rank = 1; rank <= ranking.size(); rank++) {
                fused.merge(ranking.get(rank - 1), 1.0 / (k + rank), Double::sum);
            }
        }
        return best(fused, depth);
    }

    /**
     * A weighted sum of scores put on one scale: each ranking's scores are normalized within the ranking (its window)
     * by {@code normalization}, then counted from the lowest normalized score of that ranking, and the results'
     * weighted sums ranked. Counting from the lowest score means a result missing from a ranking (or present with a
     * NaN score, as a sorted search gives) is treated as if it had that ranking's lowest score, as {@link ScoreFusion}
     * treats a hit without an ELMo score: it neither wins nor vanishes. It also keeps every fused score at 0 or above
     * (weights are non-negative), which Elasticsearch needs of a {@code _score}; the order is the same as that of the
     * plain sum of normalized scores with missing ones set to the lowest. Returns the fused ranking, best first, at
     * most {@code depth} long.
     *
     * @param rankings each best first, with the retriever's scores
     * @param weights  one per ranking, finite and non-negative
     */
    public static <K> List<Scored<K>> linear(List<? extends List<Scored<K>>> rankings, float[] weights, ScoreNormalization normalization,
                                             int depth) {
        if (weights.length != rankings.size()) {
            throw new IllegalArgumentException(rankings.size() + " rankings but " + weights.length + " weights");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        }
        Map<K, Double> fused = new LinkedHashMap<>();
        for (int r = 0; r < rankings.size(); r++) {
            if (!(weights[r] >= 0) || Float.isInfinite(weights[r])) {
                throw new IllegalArgumentException("weights must be finite and non-negative, got " + weights[r] + " for ranking " + r);
            }
            List<Scored<K>> ranking = rankings.get(r);
            float[] scores = new float[ranking.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = ranking.get(i).score();
            }
            float[] normalized = normalization.normalizeMissingAsLowest(scores);
            float lowest = Float.POSITIVE_INFINITY;
            for (float n : normalized) {
                lowest = Math.min(lowest, n);
            }
            for (int i = 0; i < normalized.length; i++) {
                fused.merge(ranking.get(i).key(), (double) weights[r] * (normalized[i] - lowest), Double::sum);
            }
        }
        return best(fused, depth);
    }

    /** The {@code depth} best keys by fused score; the map's order (first seen first) breaks ties. */
    private static <K> List<Scored<K>> best(Map<K, Double> fused, int depth) {
        List<Map.Entry<K, Double>> entries = new ArrayList<>(fused.entrySet());
        // A stable sort: equal scores keep the order in which their keys were first seen.
        entries.sort(Map.Entry.<K, Double>comparingByValue(Comparator.reverseOrder()));
        return entries.stream().limit(depth).map(e -> new Scored<>(e.getKey(), e.getValue().floatValue())).toList();
    }
}
