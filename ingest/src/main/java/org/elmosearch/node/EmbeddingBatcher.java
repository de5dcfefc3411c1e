package org.elmosearch.node;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.support.ContextPreservingActionListener;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elmosearch.analysis.TextTokenizer;
import org.elmosearch.analysis.Token;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.rank.RankingVectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Embeds the texts of many callers together. Elasticsearch hands the documents of a bulk request to a processor
 * one at a time and has no batch hook, so requests queue per model and a single task per model drains the queue:
 * while one batch runs the next accumulates, and a bulk of N documents costs a few encoder runs instead of N.
 * No request waits for a timer; an idle model embeds a lone request at once. With batching off each request (a
 * document's texts, a query) is a round of its own, still one at a time per model: the baseline that micro-batching
 * is measured against.
 */
public final class EmbeddingBatcher {

    private static final Logger LOGGER = LogManager.getLogger(EmbeddingBatcher.class);

    /** Texts taken from the queue per round. */
    static final int MAX_ROUND_TEXTS = 256;
    /**
     * Tokens per embedder call. The embedder holds every layer of a call's tokens at once: 8192 tokens of the
     * original model (3 layers of 1024 floats) are 100 MB.
     */
    static final int MAX_CHUNK_TOKENS = 8192;

    private final ElmoModelRegistry registry;
    private final ElmoStats stats;
    private final Executor executor;
    private final ThreadContext threadContext;
    private final int maxRoundJobs;
    private final Map<String, ModelQueue> queues = new ConcurrentHashMap<>();

    /** @param batching whether requests queued together share encoder runs; false embeds each request on its own */
    public EmbeddingBatcher(ElmoModelRegistry registry, ElmoStats stats, Executor executor, ThreadContext threadContext, boolean batching) {
        this.registry = registry;
        this.stats = stats;
        this.executor = executor;
        this.threadContext = threadContext;
        this.maxRoundJobs = batching ? Integer.MAX_VALUE : 1;
    }

    public ElmoModelRegistry registry() {
        return registry;
    }

    /** The models with a queue: those with requests waiting or in a round. Package-private for tests. */
    int modelQueues() {
        return queues.size();
    }

    /**
     * Embeds {@code texts} with model {@code modelId}, {@code spec} completed by the model's defaults. The listener
     * gets one result per text, in order, in the caller's thread context, on an {@code elmo} pool thread. It never
     * throws: every failure, a malformed id or an empty list included, reaches the listener, so that a caller inside
     * another listener cannot lose its request.
     */
    public void embed(String modelId, List<String> texts, EmbeddingSpec spec, ActionListener<Embeddings> listener) {
        embed(modelId, texts, spec, false, listener);
    }

    /**
     * As {@link #embed(String, List, EmbeddingSpec, ActionListener)}; with {@code tokenVectors} each result also
     * keeps its tokens' mixed vectors (at most {@code max_tokens} per text), for a token-vector field: the caller
     * turns them into ranking vectors with {@link Embeddings#tokenVectors}.
     */
    public void embed(String modelId, List<String> texts, EmbeddingSpec spec, boolean tokenVectors, ActionListener<Embeddings> listener) {
        enqueue(modelId, texts, spec, tokenVectors, listener);
    }

    /**
     * As {@link #embed(String, List, EmbeddingSpec, boolean, ActionListener)}, for texts already split into tokens by
     * the model's tokenizer ({@link Embeddings#tokenizer}): pieces of a text's tokens (passages) are embedded as
     * exactly those tokens, not tokenized again on their own.
     */
    public void embedTokens(String modelId, List<List<Token>> texts, EmbeddingSpec spec, boolean tokenVectors,
                            ActionListener<Embeddings> listener) {
        enqueue(modelId, texts, spec, tokenVectors, listener);
    }

    /** {@code texts} holds strings or token lists. */
    private void enqueue(String modelId, List<?> texts, EmbeddingSpec spec, boolean tokenVectors, ActionListener<Embeddings> listener) {
        try {
            ModelId.resolve(registry.root(), modelId);
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("no texts to embed");
            }
        } catch (IllegalArgumentException e) {
            listener.onFailure(e);
            return;
        }
        Job job = new Job(List.copyOf(texts), spec, tokenVectors, ContextPreservingActionListener.wrapPreservingContext(listener, threadContext));
        // Added under the map's lock, so that a queue that its drain finds idle and removes never takes a job.
        ModelQueue queue = queues.compute(modelId, (id, existing) -> {
            ModelQueue target = existing == null ? new ModelQueue(id) : existing;
            target.jobs.add(job);
            return target;
        });
        queue.schedule();
    }

    /**
     * The result of one request.
     *
     * @param options       how the texts were embedded: the request's spec completed by the model's defaults
     * @param dims          the model's vector width
     * @param ranking       the model's ranking where it made the pooled vectors ({@link LoadedModel#vectorRanking}),
     *                      else null
     * @param tokenizer     the model's tokenizer, which split the texts: pieces of them cut with it can be embedded
     *                      with {@link #embedTokens}
     * @param texts         one per requested text, in order: tokens, truncation, pooled vector (the ranking's
     *                      pooled vector where there is a ranking); mixed token vectors if asked
     */
    public record Embeddings(EmbeddingOptions options, int dims, RankingVectors ranking, TextTokenizer tokenizer, List<EmbeddedText> texts) {

        /** Mixed token vectors as they are stored and compared: the ranking's, or scaled to unit length without one. */
        public float[][] tokenVectors(float[][] mixedTokenVectors) {
            return (ranking == null ? RankingVectors.defaults(null) : ranking).tokenVectors(mixedTokenVectors);
        }

        /**
         * The vector of many texts' mixed token vectors together (an array's values): the ranking's pooled vector,
         * or pooled and normalized as the options say; null without tokens.
         */
        public float[] pooledVector(float[][] mixedTokenVectors) {
            return ranking != null ? ranking.pooledVector(mixedTokenVectors) : options.pool(mixedTokenVectors);
        }
    }

    /** A request: its texts' results fill in chunk by chunk; it is answered once, when complete or at its first failure. */
    private static final class Job {
        /** Strings, or token lists already split by the model's tokenizer. */
        private final List<?> texts;
        private final EmbeddingSpec spec;
        private final boolean tokenVectors;
        private final ActionListener<Embeddings> listener;
        /** Set when the job's round starts: the model's {@link LoadedModel#vectorRanking} for the job's spec. */
        private RankingVectors ranking;
        private EmbeddedText[] results;
        private int remaining;
        private boolean answered;

        Job(List<?> texts, EmbeddingSpec spec, boolean tokenVectors, ActionListener<Embeddings> listener) {
            this.texts = texts;
            this.spec = spec;
            this.tokenVectors = tokenVectors;
            this.listener = listener;
        }

        void start() {
            results = new EmbeddedText[texts.size()];
            remaining = texts.size();
        }

        @SuppressWarnings("unchecked")
        List<Token> tokens(int index, TextTokenizer tokenizer) {
            Object text = texts.get(index);
            return text instanceof String s ? tokenizer.tokenize(s) : (List<Token>) text;
        }

        void done(int index, EmbeddedText text, Embeddings shape) {
            results[index] = text;
            if (--remaining == 0 && !answered) {
                answered = true;
                Embeddings result = new Embeddings(shape.options(), shape.dims(), ranking, shape.tokenizer(), List.of(results));
                results = null;
                respond(this, result);
            }
        }

        void fail(Exception e) {
            if (!answered) {
                answered = true;
                results = null;
                EmbeddingBatcher.fail(this, e);
            }
        }
    }

    private final class ModelQueue {
        private final String modelId;
        private final Queue<Job> jobs = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean();

        ModelQueue(String modelId) {
            this.modelId = modelId;
        }

        void schedule() {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
                // The drain serves many callers; each listener restores its own context.
                executor.execute(this::drain);
            } catch (RuntimeException e) {
                running.set(false);
                for (Job job; (job = jobs.poll()) != null; ) {
                    job.fail(e);
                }
                removeIfIdle();
            }
        }

        private void drain() {
            boolean done = false;
            try {
                drainRounds();
                done = true;
            } finally {
                if (!done) {
                    // An Error escaped a round: hand the queue to a fresh task rather than leave it stuck as running.
                    running.set(false);
                    if (jobs.isEmpty()) {
                        removeIfIdle();
                    } else {
                        schedule();
                    }
                }
            }
        }

        /**
         * Drops this queue from the map once nothing waits and no task drains it, so that the map holds the models
         * in use rather than every id ever asked for. Jobs are added under the map's lock, so none is lost here.
         */
        private void removeIfIdle() {
            queues.computeIfPresent(modelId, (id, queue) -> queue == this && jobs.isEmpty() && !running.get() ? null : queue);
        }

        private void drainRounds() {
            while (true) {
                List<Job> round = new ArrayList<>();
                int texts = 0;
                for (Job job; texts < MAX_ROUND_TEXTS && round.size() < maxRoundJobs && (job = jobs.poll()) != null; ) {
                    round.add(job);
                    texts += job.texts.size();
                }
                if (round.isEmpty()) {
                    running.set(false);
                    if (jobs.isEmpty()) {
                        removeIfIdle();
                        return;
                    }
                    // A job queued between the last poll and the reset would otherwise wait for the next caller.
                    if (!running.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                try {
                    run(modelId, round);
                } catch (Error e) {
                    // The round's requests not answered yet would otherwise wait forever.
                    IllegalStateException failure = new IllegalStateException("embedding with [model_id] [" + modelId + "] failed: " + e, e);
                    round.forEach(job -> job.fail(failure));
                    throw e;
                }
            }
        }
    }

    private void run(String modelId, List<Job> round) {
        ModelLease lease;
        try {
            lease = registry.acquire(modelId);
        } catch (RuntimeException e) {
            round.forEach(job -> job.fail(e));
            return;
        }
        try (lease) {
            run(lease.model(), round);
        }
    }

    private void run(LoadedModel model, List<Job> round) {
        String modelId = model.id();
        ElmoStats.Counters counters = stats.model(modelId);
        Map<EmbeddingOptions, List<Job>> groups = new LinkedHashMap<>();
        for (Job job : round) {
            try {
                job.ranking = model.vectorRanking(job.spec);
                groups.computeIfAbsent(model.resolve(job.spec), k -> new ArrayList<>()).add(job);
            } catch (RuntimeException e) {
                counters.error();
                job.fail(e);
            }
        }
        groups.forEach((options, jobs) -> embedGroup(model, options, jobs, counters));
    }

    /** One text of a job and its tokens, tokenized once: to size the chunks, then to embed. */
    private record Slot(Job job, int index, List<Token> tokens) {
    }

    /**
     * Embeds the texts of jobs that share options in chunks of at most {@link #MAX_CHUNK_TOKENS} tokens, so that the
     * layers held at once stay bounded whatever the number and length of the texts; answers each job when its last
     * text is done.
     */
    private void embedGroup(LoadedModel model, EmbeddingOptions options, List<Job> jobs, ElmoStats.Counters counters) {
        List<Slot> slots = new ArrayList<>();
        for (Job job : jobs) {
            job.start();
            for (int i = 0; i < job.texts.size(); i++) {
                slots.add(new Slot(job, i, job.tokens(i, model.embedder().tokenizer())));
            }
        }
        int from = 0;
        while (from < slots.size()) {
            int to = from;
            long tokens = 0;
            while (to < slots.size() && (to == from || tokens + encodedTokens(slots.get(to), options) <= MAX_CHUNK_TOKENS)) {
                tokens += encodedTokens(slots.get(to++), options);
            }
            List<Slot> chunk = slots.subList(from, to);
            try {
                embedChunk(model, options, chunk, counters);
            } catch (RuntimeException e) {
                // Text by text, so that a text that breaks the encoder fails only its own request.
                for (Slot slot : chunk) {
                    try {
                        embedChunk(model, options, List.of(slot), counters);
                    } catch (RuntimeException single) {
                        counters.error();
                        slot.job.fail(single);
                    }
                }
            }
            from = to;
        }
    }

    private static int encodedTokens(Slot slot, EmbeddingOptions options) {
        return Math.min(options.maxTokens(), slot.tokens.size());
    }

    private void embedChunk(LoadedModel model, EmbeddingOptions options, List<Slot> chunk, ElmoStats.Counters counters) {
        List<Slot> live = chunk.stream().filter(slot -> !slot.job.answered).toList();
        if (live.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        List<EmbeddedText> embedded = model.embedder().embedTokenized(live.stream().map(Slot::tokens).toList(), options);
        long tokens = embedded.stream().mapToLong(e -> e.tokens().size()).sum();
        long truncated = embedded.stream().filter(EmbeddedText::truncated).count();
        counters.batch(live.size(), tokens, truncated, System.nanoTime() - start);
        for (int k = 0; k < live.size(); k++) {
            EmbeddedText text = embedded.get(k);
            Job job = live.get(k).job;
            // Token vectors only for a caller that stores them: for long inputs they hold a lot of memory.
            float[][] tokenVectors = job.tokenVectors ? text.tokenVectors() : new float[0][];
            float[] vector = job.ranking == null ? text.vector() : job.ranking.pooledVector(text.tokenVectors());
            job.done(live.get(k).index, new EmbeddedText(text.tokens(), text.truncated(), tokenVectors, vector),
                    new Embeddings(options, model.dims(), null, model.embedder().tokenizer(), null));
        }
    }

    private static void respond(Job job, Embeddings result) {
        try {
            job.listener.onResponse(result);
        } catch (RuntimeException e) {
            // A listener that throws must not take the other requests of the batch with it; it was answered.
            LOGGER.warn("an embedding listener failed", e);
        }
    }

    private static void fail(Job job, Exception e) {
        try {
            job.listener.onFailure(e);
        } catch (RuntimeException failure) {
            LOGGER.warn("an embedding listener failed", failure);
        }
    }
}
