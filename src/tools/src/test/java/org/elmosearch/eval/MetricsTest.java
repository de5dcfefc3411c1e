package org.elmosearch.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-made rankings whose metrics are worked out in the comments. */
class MetricsTest {

    private static final double LOG2_3 = Math.log(3) / Math.log(2);

    @Test
    void oneRelevantPassage() {
        Map<String, Integer> grades = Map.of("a", 1);
        // At rank 3: DCG = 1 / log2(4) = 0.5, ideal 1 / log2(2) = 1.
        List<String> ranking = List.of("x", "y", "a", "z");
        assertEquals(0.5, Metrics.ndcg(ranking, grades, 10), 1e-12);
        assertEquals(1.0 / 3, Metrics.reciprocalRank(ranking, grades, 10), 1e-12);
        assertEquals(1.0, Metrics.recall(ranking, grades, 100), 1e-12);
        // Beyond the cut-off it counts for nothing.
        assertEquals(0, Metrics.ndcg(ranking, grades, 2));
        assertEquals(0, Metrics.reciprocalRank(ranking, grades, 2));
        assertEquals(0, Metrics.recall(ranking, grades, 2));
        assertEquals(1.0, Metrics.ndcg(List.of("a"), grades, 10), 1e-12);
    }

    @Test
    void gradedJudgementsGainTheirGrade() {
        // b is very relevant (2), a relevant (1), c judged not relevant (0).
        Map<String, Integer> grades = Map.of("a", 1, "b", 2, "c", 0);
        // Ranking a, c, b: DCG = 1/1 + 0 + 2/log2(4) = 2; ideal b, a: 2/1 + 1/log2(3).
        List<String> ranking = List.of("a", "c", "b");
        assertEquals(2 / (2 + 1 / LOG2_3), Metrics.ndcg(ranking, grades, 10), 1e-12);
        assertEquals(1.0, Metrics.reciprocalRank(ranking, grades, 10), 1e-12);
        // Recall counts relevant passages (grade > 0): a of {a, b} within the top 2.
        assertEquals(0.5, Metrics.recall(ranking, grades, 2), 1e-12);
        assertEquals(1.0, Metrics.ndcg(List.of("b", "a", "c"), grades, 10), 1e-12);
    }

    @Test
    void nothingRelevantFoundOrJudged() {
        assertEquals(0, Metrics.ndcg(List.of("x", "y"), Map.of("a", 1), 10));
        assertEquals(0, Metrics.reciprocalRank(List.of(), Map.of("a", 1), 10));
        assertEquals(0, Metrics.recall(List.of("a"), Map.of("a", 0), 10));
        assertEquals(0, Metrics.ndcg(List.of("a"), Map.of("a", 0), 10));
    }
}
