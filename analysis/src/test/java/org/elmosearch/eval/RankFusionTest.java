package org.elmosearch.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RankFusionTest {

    @Test
    void aPassageBothRankingsPlaceWellBeatsOneThatOnlyOneRanksFirst() {
        // With k = 60: a = 1/61 (first in BM25 only) = 0.01639; b = 1/62 + 1/62 (second in both) = 0.03226;
        // c = 1/61 (first in kNN only); d = 1/63 (third in BM25 only).
        List<String> bm25 = List.of("a", "b", "d");
        List<String> knn = List.of("c", "b");
        assertEquals(List.of("b", "a", "c", "d"), RankFusion.reciprocalRank(List.of(bm25, knn), 60, 10));
    }

    @Test
    void kSetsHowMuchATopRankOutweighsAgreement() {
        // a: first in one ranking, tenth in the other; b: fourth in both.
        // k = 1: a = 1/2 + 1/11 = 0.591 beats b = 2/5 = 0.4. k = 60: a = 1/61 + 1/70 = 0.03068 loses to b = 2/64 = 0.03125.
        List<String> first = List.of("a", "p1", "p2", "b");
        List<String> second = List.of("q1", "q2", "q3", "b", "q5", "q6", "q7", "q8", "q9", "a");
        assertEquals("a", RankFusion.reciprocalRank(List.of(first, second), 1, 1).getFirst());
        assertEquals("b", RankFusion.reciprocalRank(List.of(first, second), 60, 1).getFirst());
    }

    @Test
    void tiesGoToTheFirstSeenAndTheDepthCuts() {
        // x and y each first in one ranking: equal scores; x is seen first.
        assertEquals(List.of("x"), RankFusion.reciprocalRank(List.of(List.of("x"), List.of("y")), 60, 1));
        assertEquals(List.of("x", "y"), RankFusion.reciprocalRank(List.of(List.of("x"), List.of("y")), 60, 5));
        assertEquals(List.of(), RankFusion.reciprocalRank(List.of(List.of(), List.of()), 60, 5));
        assertThrows(IllegalArgumentException.class, () -> RankFusion.reciprocalRank(List.of(), 0, 5));
    }
}
