package org.elmosearch.node;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.elmo.TokenCacheStats;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Embedding counters of this node, per model. */
public final class ElmoStats {

    private final Map<String, Counters> models = new ConcurrentHashMap<>();

    public Counters model(String id) {
        return models.computeIfAbsent(id, k -> new Counters());
    }

    /** The counters of every model that embedded something or is loaded, with its token cache where it has one. */
    public Map<String, Snapshot> snapshot(Map<String, TokenCacheStats> tokenCaches) {
        Map<String, Snapshot> out = new TreeMap<>();
        TokenCacheStats none = new TokenCacheStats(0, 0, 0, 0);
        models.forEach((id, c) -> out.put(id, c.snapshot(tokenCaches.getOrDefault(id, none))));
        tokenCaches.forEach((id, cache) -> out.computeIfAbsent(id, k -> new Counters().snapshot(cache)));
        return out;
    }

    /**
     * The native memory of this node's models in service, and the budget a load must fit in.
     *
     * @param nativeBytes the sum of their {@link ModelMemory#nativeBytes()}
     * @param maxBytes    the budget
     */
    public record Memory(long nativeBytes, long maxBytes) implements Writeable, ToXContentObject {

        public Memory(StreamInput in) throws IOException {
            this(in.readVLong(), in.readVLong());
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeVLong(nativeBytes);
            out.writeVLong(maxBytes);
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject();
            builder.humanReadableField("native_bytes", "native", ByteSizeValue.ofBytes(nativeBytes));
            builder.humanReadableField("max_bytes", "max", ByteSizeValue.ofBytes(maxBytes));
            return builder.endObject();
        }
    }

    /** Live counters of one model. */
    public static final class Counters {
        private final LongAdder texts = new LongAdder();
        private final LongAdder tokens = new LongAdder();
        private final LongAdder batches = new LongAdder();
        private final LongAdder nanos = new LongAdder();
        private final LongAdder truncated = new LongAdder();
        private final LongAdder errors = new LongAdder();

        public void batch(int textCount, long tokenCount, long truncatedCount, long elapsedNanos) {
            batches.increment();
            texts.add(textCount);
            tokens.add(tokenCount);
            truncated.add(truncatedCount);
            nanos.add(elapsedNanos);
        }

        public void error() {
            errors.increment();
        }

        Snapshot snapshot(TokenCacheStats tokenCache) {
            return new Snapshot(texts.sum(), tokens.sum(), batches.sum(), nanos.sum() / 1_000_000, truncated.sum(), errors.sum(), tokenCache);
        }
    }

    /**
     * Counters at one moment, for {@code GET _elmo/stats}; {@code tokenCache} counts the encoder's cache of char-CNN
     * token vectors (see {@code ElmoEncoder}).
     */
    public record Snapshot(long texts, long tokens, long batches, long timeMillis, long truncated, long errors, TokenCacheStats tokenCache)
            implements Writeable, ToXContentObject {

        public Snapshot(StreamInput in) throws IOException {
            this(in.readVLong(), in.readVLong(), in.readVLong(), in.readVLong(), in.readVLong(), in.readVLong(),
                    new TokenCacheStats(in.readVLong(), in.readVLong(), in.readVInt(), in.readVInt()));
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeVLong(texts);
            out.writeVLong(tokens);
            out.writeVLong(batches);
            out.writeVLong(timeMillis);
            out.writeVLong(truncated);
            out.writeVLong(errors);
            out.writeVLong(tokenCache.hits());
            out.writeVLong(tokenCache.misses());
            out.writeVInt(tokenCache.size());
            out.writeVInt(tokenCache.capacity());
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            return builder.startObject()
                    .field("texts", texts)
                    .field("tokens", tokens)
                    .field("batches", batches)
                    .field("time_in_millis", timeMillis)
                    .field("truncated", truncated)
                    .field("errors", errors)
                    .startObject("token_cache")
                    .field("hits", tokenCache.hits())
                    .field("misses", tokenCache.misses())
                    .field("hit_rate", tokenCache.hitRate())
                    .field("size", tokenCache.size())
                    .field("capacity", tokenCache.capacity())
                    .endObject()
                    .endObject();
        }
    }
}
