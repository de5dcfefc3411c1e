package org.elmosearch.elmo;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenEmbeddingCacheTest {

    private static final List<List<String>> FIRST = List.of(List.of("the", "river", "bank"), List.of("the", "loan"));
    private static final List<List<String>> SECOND = List.of(List.of("a", "bank", "loan", "at", "the", "bank"));

    @Test
    void cachedTokenVectorsGiveTheSameLayersAsComputingThemAgain() {
        ElmoModel model = ElmoModel.fromWeights(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 3));
        try (ElmoEncoder cached = new ElmoEncoder(model, 1, 1000); ElmoEncoder uncached = new ElmoEncoder(model, 1, 0)) {
            cached.encode(FIRST);
            float[][][] withCache = cached.encode(SECOND).layers().get(0);
            float[][][] without = uncached.encode(SECOND).layers().get(0);
            for (int k = 0; k < withCache.length; k++) {
                for (int t = 0; t < withCache[k].length; t++) {
                    assertArrayEquals(without[k][t], withCache[k][t], 1e-6f);
                }
            }
            TokenCacheStats stats = cached.tokenCacheStats();
            // First batch: <S>, </S>, the, river, bank, loan all new. Second: <S>, </S>, bank, loan, the known; a, at new.
            assertEquals(5, stats.hits());
            assertEquals(8, stats.misses());
            assertEquals(8, stats.size());
            assertEquals(0, uncached.tokenCacheStats().size());
        }
    }

    @Test
    void theLeastRecentlyUsedTokenLeavesAFullCache() {
        TokenEmbeddingCache cache = new TokenEmbeddingCache(2);
        cache.put("a", new float[]{1});
        cache.put("b", new float[]{2});
        cache.get("a");
        cache.put("c", new float[]{3});
        assertTrue(cache.get("a") != null && cache.get("c") != null);
        assertEquals(null, cache.get("b"));
        assertEquals(2, cache.stats().size());
    }
}
