package org.elmosearch.rank;

import org.elmosearch.analysis.Token;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.ScalarMix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankingVectorsTest {

    private static final float[][] MIXED = {{3, 4, 0}, {1, 0, 1}};

    private static TokenStatistics statistics() {
        TokenStatisticsFitter fitter = new TokenStatisticsFitter(ScalarMix.top(3), 3);
        fitter.addVectors(new float[][] {{3, 4, 0}, {1, 0, 1}, {2, 1, 5}, {0, 2, 2}, {4, 4, 4}});
        fitter.countText(List.of(new Token("bank", 0, 4), new Token("river", 5, 10)));
        fitter.countText(List.of(new Token("bank", 0, 4)));
        return fitter.fit(0, "test");
    }

    @Test
    void withoutStatisticsVectorsAreOnlyScaledToUnitLengthAndQueryTokensUnweighted() {
        RankingVectors ranking = RankingVectors.defaults(null);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0}, ranking.tokenVectors(MIXED)[0], 1e-6f);
        assertArrayEquals(Pooling.l2Normalize(new float[] {2, 2, 0.5f}), ranking.pooledVector(MIXED), 1e-6f);
        assertNull(ranking.queryWeights(List.of(new Token("bank", 0, 4))));
        ScalarMix mix = ScalarMix.average(3);
        assertSame(mix, ranking.mix(mix));
    }

    @Test
    void withStatisticsThePooledVectorIsTheTransformedMeanOfTheTokens() {
        TokenStatistics statistics = statistics();
        RankingVectors ranking = RankingVectors.defaults(statistics);
        assertEquals(statistics.mix(), ranking.mix(ScalarMix.average(3)));
        assertArrayEquals(statistics.transform(new float[] {2, 2, 0.5f}, VectorTransform.WHITEN), ranking.pooledVector(MIXED), 1e-6f);
        assertArrayEquals(statistics.transform(MIXED[1], VectorTransform.WHITEN), ranking.tokenVectors(MIXED)[1], 1e-6f);
        float[] weights = ranking.queryWeights(List.of(new Token("bank", 0, 4), new Token("river", 5, 10)));
        assertTrue(weights[1] > weights[0], "river is in fewer texts than bank");
        assertNull(ranking.pooledVector(new float[0][]));
    }

    @Test
    void optionsThatNeedStatisticsAreRefusedWithoutThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RankingVectors(null, RankingOptions.DEFAULT));
        assertTrue(e.getMessage().contains("run 'elmo fit'"), e.getMessage());
        assertEquals(VectorTransform.CENTER, new RankingVectors(statistics(), RankingOptions.DEFAULT.withTransform(VectorTransform.CENTER))
                .options().transform());
    }
}
