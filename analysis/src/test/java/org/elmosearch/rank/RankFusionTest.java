package org.elmosearch.rank;

import org.elmosearch.rank.RankFusion.Scored;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RankFusionTest {

    private static List<String> keys(List<Scored<String>> fused) {
        return fused.stream().map(Scored::key).toList();
    }

    private static List<Scored<String>> ranking(Object... keysAndScores) {
        List<Scored<String>> ranking = new ArrayList<>();
        for (int i = 0; i < keysAndScores.length; i += 2) {
            ranking.add(new Scored<>((String) keysAndScores[i], ((Number) keysAndScores[i + 1]).floatValue()));
        }
        return ranking;
    }

    @Test
    void aPassageBothRankingsPlaceWellBeatsOneThatOnlyOneRanksFirst() {
        // With k = 60: a = 1/61 (first in BM25 only) = 0.01639; b = 1/62 + 1/62 (second in both) = 0.03226;
        // c = 1/61 (first in kNN only); d = 1/63 (third in BM25 only).
        List<String> bm25 = List.of("a", "b", "d");
        List<String> knn = List.of("c", "b");
        List<Scored<String>> fused = RankFusion.reciprocalRank(List.of(bm25, knn), 60, 10);
        assertEquals(List.of("b", "a", "c", "d"), keys(fused));
        assertEquals(2.0 / 62, fused.get(0).score(), 1e-7);
        assertEquals(1.0 / 63, fused.get(3).score(), 1e-7);
    }

    @Test
    void kSetsHowMuchATopRankOutweighsAgreement() {
        // a: first in one ranking, tenth in the other; b: fourth in both.
        // k = 1: a = 1/2 + 1/11 = 0.591 beats b = 2/5 = 0.4. k = 60: a = 1/61 + 1/70 = 0.03068 loses to b = 2/64 = 0.03125.
        List<String> first = List.of("a", "p1", "p2", "b");
        List<String> second = List.of("q1", "q2", "q3", "b", "q5", "q6", "q7", "q8", "q9", "a");
        assertEquals("a", RankFusion.reciprocalRank(List.of(first, second), 1, 1).getFirst().key());
        assertEquals("b", RankFusion.reciprocalRank(List.of(first, second), 60, 1).getFirst().key());
    }

    @Test
    void tiesGoToTheFirstSeenAndTheDepthCuts() {
        // x and y each first in one ranking: equal scores; x is seen first.
        assertEquals(List.of("x"), keys(RankFusion.reciprocalRank(List.of(List.of("x"), List.of("y")), 60, 1)));
        assertEquals(List.of("x", "y"), keys(RankFusion.reciprocalRank(List.of(List.of("x"), List.of("y")), 60, 5)));
        assertEquals(List.of(), RankFusion.reciprocalRank(List.<List<String>>of(List.of(), List.of()), 60, 5));
        assertThrows(IllegalArgumentException.class, () -> RankFusion.reciprocalRank(List.<List<String>>of(), 0, 5));
        float[] equal = {1, 1};
        assertEquals(List.of("x", "y"), keys(RankFusion.linear(List.of(ranking("x", 1), ranking("y", 1)), equal, ScoreNormalization.NONE, 5)));
    }

    @Test
    void minMaxWeightsEachRankingsPositionBetweenItsBestAndWorst() {
        // BM25 10, 6, 2 -> 1, 0.5, 0; kNN 0.9, 0.8, 0.5 -> 1, 0.75, 0. A result missing from a ranking gets its lowest, 0.
        // a = 0.7 * 1 + 0.3 * 0 = 0.7; b = 0.7 * 0.5 = 0.35; c = 0.7 * 0 + 0.3 * 1 = 0.3; d = 0.3 * 0.75 = 0.225.
        List<Scored<String>> fused = RankFusion.linear(List.of(ranking("a", 10, "b", 6, "c", 2), ranking("c", 0.9, "d", 0.8, "a", 0.5)),
                new float[] {0.7f, 0.3f}, ScoreNormalization.MIN_MAX, 10);
        assertEquals(List.of("a", "b", "c", "d"), keys(fused));
        float[] expected = {0.7f, 0.35f, 0.3f, 0.225f};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], fused.get(i).score(), 1e-6f);
        }
    }

    @Test
    void zScoresAreCountedFromEachRankingsLowestSoAMissingResultCountsAsTheLowest() {
        // BM25 3, 2, 1: z = 1.2247, 0, -1.2247, counted from the lowest: 2.4495, 1.2247, 0.
        // kNN 4, 2: z = 1, -1, counted from the lowest: 2, 0.
        // x = 2.4495 + 0 (missing from kNN); z = 0 + 2; y = 1.2247 + 0 (missing); w = 0 + 0.
        List<Scored<String>> fused = RankFusion.linear(List.of(ranking("x", 3, "y", 2, "z", 1), ranking("z", 4, "w", 2)),
                new float[] {1, 1}, ScoreNormalization.Z_SCORE, 10);
        assertEquals(List.of("x", "z", "y", "w"), keys(fused));
        float root6 = (float) Math.sqrt(6);
        assertEquals(root6, fused.get(0).score(), 1e-5f);
        assertEquals(2, fused.get(1).score(), 1e-5f);
        assertEquals(root6 / 2, fused.get(2).score(), 1e-5f);
        assertEquals(0, fused.get(3).score(), 1e-6f);
        // The same order as the plain sum of z-scores with a missing one set to that ranking's lowest z-score:
        // x = 1.2247 - 1 = 0.22; z = -1.2247 + 1 = -0.22; y = 0 - 1; w = -1.2247 - 1.
    }

    @Test
    void noneSumsTheRetrieversOwnScoresAboveTheirLowest() {
        // BM25 5, 1 -> 4, 0; cosine 0.9, 0.1 -> 0.8, 0: raw BM25 spreads wider and decides.
        List<Scored<String>> fused = RankFusion.linear(List.of(ranking("a", 5, "b", 1), ranking("b", 0.9, "a", 0.1)),
                new float[] {1, 1}, ScoreNormalization.NONE, 10);
        assertEquals(List.of("a", "b"), keys(fused));
        assertEquals(4, fused.get(0).score(), 1e-6f);
        assertEquals(0.8f, fused.get(1).score(), 1e-6f);
    }

    @Test
    void aNanScoreCountsAsMissingAndAZeroWeightSilencesARanking() {
        List<Scored<String>> fused = RankFusion.linear(List.of(ranking("a", 1, "b", Float.NaN, "c", 3), ranking("b", 100, "a", 1)),
                new float[] {1, 0}, ScoreNormalization.MIN_MAX, 10);
        assertEquals(ranking("c", 1, "a", 0, "b", 0), fused);
    }

    @Test
    void linearRefusesBadWeightsAndDepths() {
        List<List<Scored<String>>> two = List.of(ranking("a", 1), ranking("b", 1));
        assertThrows(IllegalArgumentException.class, () -> RankFusion.linear(two, new float[] {1}, ScoreNormalization.NONE, 5));
        assertThrows(IllegalArgumentException.class, () -> RankFusion.linear(two, new float[] {1, -0.5f}, ScoreNormalization.NONE, 5));
        assertThrows(IllegalArgumentException.class, () -> RankFusion.linear(two, new float[] {1, Float.NaN}, ScoreNormalization.NONE, 5));
        assertThrows(IllegalArgumentException.class, () -> RankFusion.linear(two, new float[] {1, 1}, ScoreNormalization.NONE, 0));
        assertEquals(List.of("a"), keys(RankFusion.linear(two, new float[] {1, 1}, ScoreNormalization.NONE, 1)));
    }
}
