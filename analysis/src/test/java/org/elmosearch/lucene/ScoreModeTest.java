package org.elmosearch.lucene;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each mode on first = 3 (weight 2) and second = 5 (weight 0.5): weighted, 6 and 2.5. */
class ScoreModeTest {

    @Test
    void eachModeMergesTheWeightedScoresAsElasticsearchDoes() {
        assertEquals(8.5f, ScoreMode.TOTAL.combine(3, 5, 2, 0.5f));
        assertEquals(15f, ScoreMode.MULTIPLY.combine(3, 5, 2, 0.5f));
        assertEquals(4.25f, ScoreMode.AVG.combine(3, 5, 2, 0.5f));
        assertEquals(6f, ScoreMode.MAX.combine(3, 5, 2, 0.5f));
        assertEquals(2.5f, ScoreMode.MIN.combine(3, 5, 2, 0.5f));
        assertEquals(2.5f, ScoreMode.REPLACE.combine(3, 5, 2, 0.5f));
    }

    @Test
    void aHitWithoutASecondScoreKeepsItsWeightedFirstScoreInEveryMode() {
        for (ScoreMode mode : ScoreMode.values()) {
            assertEquals(6f, new ScoreCombination(mode, 2, 0.5f).firstPassOnly(3), mode.jsonName());
        }
    }

    @Test
    void modesParseByTheirElasticsearchNames() {
        assertEquals(ScoreMode.MULTIPLY, ScoreMode.parse("multiply"));
        assertEquals(ScoreMode.AVG, ScoreMode.parse(" AVG "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoreMode.parse("sum"));
        assertTrue(e.getMessage().contains("[total, multiply, avg, max, min, replace]"), e.getMessage());
    }

    @Test
    void weightsMustBeFinite() {
        assertThrows(IllegalArgumentException.class, () -> new ScoreCombination(ScoreMode.TOTAL, Float.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new ScoreCombination(ScoreMode.TOTAL, 1, Float.POSITIVE_INFINITY));
        assertThrows(NullPointerException.class, () -> new ScoreCombination(null, 1, 1));
    }
}
