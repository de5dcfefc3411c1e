package org.elmosearch.rank;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreFusionTest {

    @Test
    void minMaxMapsTheWindowOntoZeroToOne() {
        assertArrayEquals(new float[] {1f, 0f, 0.5f}, ScoreNormalization.MIN_MAX.normalize(new float[] {12f, 2f, 7f}), 1e-6f);
    }

    @Test
    void zScoreCentersAndScalesToUnitDeviation() {
        float[] z = ScoreNormalization.Z_SCORE.normalize(new float[] {1f, 2f, 3f, 4f});
        double mean = 0;
        double squares = 0;
        for (float v : z) {
            mean += v;
            squares += v * v;
        }
        assertEquals(0, mean / 4, 1e-6);
        assertEquals(1, squares / 4, 1e-5);
        assertTrue(z[3] > z[2] && z[2] > z[1] && z[1] > z[0]);
    }

    @Test
    void missingScoresStayMissingAndDoNotMoveTheOthers() {
        float[] z = ScoreNormalization.MIN_MAX.normalize(new float[] {Float.NaN, 3f, 1f});
        assertTrue(Float.isNaN(z[0]));
        assertArrayEquals(new float[] {1f, 0f}, new float[] {z[1], z[2]}, 1e-6f);
    }

    @Test
    void equalScoresNormalizeToZeroRatherThanDividingByZero() {
        for (ScoreNormalization n : new ScoreNormalization[] {ScoreNormalization.MIN_MAX, ScoreNormalization.Z_SCORE}) {
            assertArrayEquals(new float[] {0f, 0f}, n.normalize(new float[] {5f, 5f}), n.name());
        }
    }

    @Test
    void noneKeepsTheScores() {
        assertArrayEquals(new float[] {12f, -2f}, ScoreNormalization.NONE.normalize(new float[] {12f, -2f}));
    }

    @Test
    void unknownNormalizationNamesTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoreNormalization.parse("l2"));
        assertEquals("unknown normalization 'l2', expected one of [none, minmax, zscore]", e.getMessage());
        assertEquals(ScoreNormalization.Z_SCORE, ScoreNormalization.parse(" ZScore "));
    }

    @Test
    void fusionAddsTheWeightedNormalizedScores() {
        ScoreFusion fusion = new ScoreFusion(ScoreNormalization.MIN_MAX, 0.25f, 0.75f);
        // BM25 prefers hit 0, ELMo hit 2; min-max puts both on [0, 1] and the ELMo weight decides.
        float[] fused = fusion.fuse(new float[] {10f, 6f, 2f}, new float[] {0.1f, 0.2f, 0.9f});
        assertArrayEquals(new float[] {0.25f, 0.25f * 0.5f + 0.75f * 0.125f, 0.75f}, fused, 1e-6f);
    }

    @Test
    void aHitWithoutAnElmoScoreCountsAsTheWindowsLowest() {
        float[] fused = new ScoreFusion(ScoreNormalization.MIN_MAX, 0.5f, 0.5f).fuse(new float[] {3f, 2f, 1f}, new float[] {Float.NaN, 0.8f, 0.4f});
        assertArrayEquals(new float[] {0.5f, 0.25f + 0.5f, 0f}, fused, 1e-6f);
    }

    @Test
    void listsOfDifferentLengthsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ScoreFusion.DEFAULT.fuse(new float[2], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new ScoreFusion(ScoreNormalization.NONE, Float.NaN, 1f));
    }
}
