package org.elmosearch.node;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.support.ContextPreservingActionListener;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;

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
 * No request waits for a timer; an idle model embeds a lone request at once.
 */
public final class EmbeddingBatcher {

    private static final Logger LOGGER = LogManager.getLogger(EmbeddingBatcher.class);

    /** Texts taken from the queue per round; {@code ElmoEmbedder} cuts a round into length-sorted runs. */
    static final int MAX_ROUND_TEXTS = 256;

    private final ElmoModelRegistry registry;
    private final ElmoStats stats;
    private final Executor executor;
    private final ThreadContext threadContext;
    private final Map<String, ModelQueue> queues = new ConcurrentHashMap<>();

    public EmbeddingBatcher(ElmoModelRegistry registry, ElmoStats stats, Executor executor, ThreadContext threadContext) {
        this.registry = registry;
        this.stats = stats;
        this.executor = executor;
        this.threadContext = threadContext;
    }

    public ElmoModelRegistry registry() {
        return registry;
    }

    /**
     * Embeds {@code texts} with model {@code modelId}, {@code spec} completed by the model's defaults. The listener
     * gets one result per text, in order, in the caller's thread context, on an {@code elmo} pool thread.
     */
    public void embed(String modelId, List<String> texts, EmbeddingSpec spec, ActionListener<Embeddings> listener) {
        ModelId.resolve(registry.root(), modelId);
        ModelQueue queue = queues.computeIfAbsent(modelId, ModelQueue::new);
        queue.jobs.add(new Job(List.copyOf(texts), spec, ContextPreservingActionListener.wrapPreservingContext(listener, threadContext)));
        queue.schedule();
    }

    /**
     * The result of one request.
     *
     * @param options how the texts were embedded: the request's spec completed by the model's defaults
     * @param dims    the model's vector width
     * @param texts   one per requested text, in order
     */
    public record Embeddings(EmbeddingOptions options, int dims, List<EmbeddedText> texts) {
    }

    private record Job(List<String> texts, EmbeddingSpec spec, ActionListener<Embeddings> listener) {
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
                    fail(job, e);
                }
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
                    if (!jobs.isEmpty()) {
                        schedule();
                    }
                }
            }
        }

        private void drainRounds() {
            while (true) {
                List<Job> round = new ArrayList<>();
                int texts = 0;
                for (Job job; texts < MAX_ROUND_TEXTS && (job = jobs.poll()) != null; ) {
                    round.add(job);
                    texts += job.texts.size();
                }
                if (round.isEmpty()) {
                    running.set(false);
                    // A job queued between the last poll and the reset would otherwise wait for the next caller.
                    if (jobs.isEmpty() || !running.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                run(modelId, round);
            }
        }
    }

    private void run(String modelId, List<Job> round) {
        LoadedModel model;
        try {
            model = registry.get(modelId);
        } catch (RuntimeException e) {
            round.forEach(job -> fail(job, e));
            return;
        }
        ElmoStats.Counters counters = stats.model(modelId);
        Map<EmbeddingOptions, List<Job>> groups = new LinkedHashMap<>();
        for (Job job : round) {
            try {
                groups.computeIfAbsent(model.resolve(job.spec), k -> new ArrayList<>()).add(job);
            } catch (RuntimeException e) {
                counters.error();
                fail(job, e);
            }
        }
        groups.forEach((options, jobs) -> {
            try {
                embedGroup(model, options, jobs, counters);
            } catch (RuntimeException e) {
                if (jobs.size() == 1) {
                    counters.error();
                    fail(jobs.get(0), e);
                } else {
                    // Retry one by one so that a text that breaks the encoder fails only its own request.
                    for (Job job : jobs) {
                        try {
                            embedGroup(model, options, List.of(job), counters);
                        } catch (RuntimeException single) {
                            counters.error();
                            fail(job, single);
                        }
                    }
                }
            }
        });
    }

    private static void embedGroup(LoadedModel model, EmbeddingOptions options, List<Job> jobs, ElmoStats.Counters counters) {
        List<String> texts = new ArrayList<>();
        jobs.forEach(job -> texts.addAll(job.texts));
        long start = System.nanoTime();
        List<EmbeddedText> embedded = model.embedder().embed(texts, options);
        long tokens = embedded.stream().mapToLong(e -> e.tokens().size()).sum();
        long truncated = embedded.stream().filter(EmbeddedText::truncated).count();
        counters.batch(texts.size(), tokens, truncated, System.nanoTime() - start);
        int from = 0;
        for (Job job : jobs) {
            List<EmbeddedText> mine = List.copyOf(embedded.subList(from, from + job.texts.size()));
            from += job.texts.size();
            respond(job, new Embeddings(options, model.dims(), mine));
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
