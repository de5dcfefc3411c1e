package org.elmosearch.elmo;

/** Counters of an encoder's token-embedding cache. */
public record TokenCacheStats(long hits, long misses, int size, int capacity) {

    /** Share of token lookups served from the cache, 0 when there were none. */
    public double hitRate() {
        long total = hits + misses;
        return total == 0 ? 0 : (double) hits / total;
    }
}
