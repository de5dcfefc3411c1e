package org.elmosearch.elmo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used map from token text to its char-CNN embedding. That layer does not depend on
 * context, so a frequent word's vector computed once serves every later sentence.
 */
final class TokenEmbeddingCache {

    private final int capacity;
    private final LinkedHashMap<String, float[]> entries;
    private long hits;
    private long misses;

    TokenEmbeddingCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("token cache capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > TokenEmbeddingCache.this.capacity;
            }
        };
    }

    /** The cached vector, or null; counts a hit or a miss. */
    synchronized float[] get(String token) {
        float[] v = entries.get(token);
        if (v == null) {
            misses++;
        } else {
            hits++;
        }
        return v;
    }

    synchronized void put(String token, float[] vector) {
        if (capacity > 0) {
            entries.put(token, vector);
        }
    }

    synchronized TokenCacheStats stats() {
        return new TokenCacheStats(hits, misses, entries.size(), capacity);
    }
}
