package org.elmosearch.plugin.action;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionListenerResponseHandler;
import org.elasticsearch.action.ActionRunnable;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.ActionNotFoundTransportException;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.embed.TextLayers;
import org.elmosearch.node.EmbeddingBatcher;
import org.elmosearch.node.LoadedModel;
import org.elmosearch.node.ModelLease;
import org.elmosearch.plugin.ElmoPlugin;
import org.elmosearch.rank.RankingVectors;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Embeds texts on the local node, or, where this node has no such model (a coordinating node without model files),
 * on another node that has it: nodes are tried in turn, the one that answered last for the model first. Pooled
 * vectors go through the batcher (ranking pooled vectors where the model has token statistics, as for documents); per-token output runs directly on the {@code elmo} pool after checking that the
 * answer stays within {@link #MAX_OUTPUT_FLOATS}. The action is a {@code cluster:monitor} action so that, with
 * security on, a role can be granted it by name.
 */
public final class EmbedAction extends HandledTransportAction<EmbedRequest, EmbedResponse> {

    public static final String NAME = "cluster:monitor/elmo/embed";
    public static final ActionType<EmbedResponse> TYPE = new ActionType<>(NAME);

    /** Floats one per-token answer may hold (16 MB of floats, some 100 MB of JSON). */
    static final long MAX_OUTPUT_FLOATS = 4L << 20;

    private final EmbeddingBatcher batcher;
    private final ThreadPool threadPool;
    private final TransportService transportService;
    private final ClusterService clusterService;
    /** For each model this node does not have, the node that last embedded for it. */
    private final Map<String, String> remoteNodeByModel = new ConcurrentHashMap<>();

    @Inject
    public EmbedAction(TransportService transportService, ClusterService clusterService, ActionFilters actionFilters,
                       EmbeddingBatcher batcher, ThreadPool threadPool) {
        super(NAME, transportService, actionFilters, EmbedRequest::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.batcher = batcher;
        this.threadPool = threadPool;
        this.transportService = transportService;
        this.clusterService = clusterService;
    }

    @Override
    protected void doExecute(Task task, EmbedRequest request, ActionListener<EmbedResponse> listener) {
        boolean here;
        try {
            here = request.forwarded() || batcher.registry().has(request.modelId());
        } catch (IllegalArgumentException e) {
            listener.onFailure(e);
            return;
        }
        if (!here) {
            List<DiscoveryNode> others = new ArrayList<>();
            String known = remoteNodeByModel.get(request.modelId());
            for (DiscoveryNode node : clusterService.state().nodes()) {
                if (!node.equals(clusterService.localNode())) {
                    others.add(node.getId().equals(known) ? 0 : others.size(), node);
                }
            }
            forward(request, others.iterator(), listener);
            return;
        }
        if (request.output() == EmbedRequest.Output.POOLED) {
            batcher.embed(request.modelId(), request.texts(), request.spec(), listener.map(embeddings -> {
                List<EmbedResponse.Result> results = new ArrayList<>();
                for (EmbeddedText text : embeddings.texts()) {
                    results.add(new EmbedResponse.Result(text.tokens(), text.truncated(), text.vector(), null, null, null));
                }
                return new EmbedResponse(request.modelId(), embeddings.dims(), results);
            }));
            return;
        }
        threadPool.executor(ElmoPlugin.THREAD_POOL).execute(ActionRunnable.wrap(listener, l -> {
            EmbedResponse response;
            try (ModelLease lease = batcher.registry().acquire(request.modelId())) {
                response = embedUnpooled(lease.model(), request);
            }
            l.onResponse(response);
        }));
    }

    /** Sends the request to the next node; one without the model (or without the plugin) passes it on. */
    private void forward(EmbedRequest request, Iterator<DiscoveryNode> nodes, ActionListener<EmbedResponse> listener) {
        if (!nodes.hasNext()) {
            listener.onFailure(new ResourceNotFoundException("[model_id] [" + request.modelId() + "]: no node of the cluster has this model; "
                    + "store it in the cluster with `elmo upload` (PUT _elmo/models/" + request.modelId() + "), or put it in <config>/elmo/"
                    + request.modelId() + "/ on the nodes that embed (those without it forward to them)"));
            return;
        }
        DiscoveryNode node = nodes.next();
        transportService.sendRequest(node, NAME, request, new ActionListenerResponseHandler<>(ActionListener.wrap(response -> {
            remoteNodeByModel.put(request.modelId(), node.getId());
            listener.onResponse(response);
        }, e -> {
            Throwable cause = ExceptionsHelper.unwrapCause(e);
            if (cause instanceof ResourceNotFoundException || cause instanceof ActionNotFoundTransportException) {
                forward(request, nodes, listener);
            } else {
                listener.onFailure(e);
            }
        }), EmbedResponse::new, EsExecutors.DIRECT_EXECUTOR_SERVICE));
    }

    private static EmbedResponse embedUnpooled(LoadedModel model, EmbedRequest request) {
        EmbeddingOptions options = model.resolve(request.spec());
        boolean layers = request.output() == EmbedRequest.Output.LAYERS;
        checkOutputSize(model, request, options.maxTokens(), layers);
        List<EmbedResponse.Result> results = new ArrayList<>();
        if (layers) {
            for (TextLayers text : model.embedder().layers(request.texts(), options.maxTokens())) {
                results.add(new EmbedResponse.Result(text.tokens(), text.truncated(), null, null, text.layers(), null));
            }
        } else if (request.output() == EmbedRequest.Output.RANKING) {
            RankingVectors ranking = model.queryRanking(request.spec(), request.idf());
            // The pooled vector as the batcher makes it for the same spec: the knn builder's and the processor's.
            boolean rankedPooled = model.vectorRanking(request.spec()) != null;
            for (EmbeddedText text : model.embedder().embed(request.texts(), options)) {
                float[] vector = rankedPooled ? ranking.pooledVector(text.tokenVectors()) : text.vector();
                results.add(new EmbedResponse.Result(text.tokens(), text.truncated(), vector, ranking.tokenVectors(text.tokenVectors()), null,
                        text.isEmpty() ? null : ranking.queryWeights(text.tokens())));
            }
        } else {
            for (EmbeddedText text : model.embedder().embed(request.texts(), options)) {
                results.add(new EmbedResponse.Result(text.tokens(), text.truncated(), text.vector(), text.tokenVectors(), null, null));
            }
        }
        return new EmbedResponse(request.modelId(), model.dims(), results);
    }

    private static void checkOutputSize(LoadedModel model, EmbedRequest request, int maxTokens, boolean layers) {
        long tokens = 0;
        for (String text : request.texts()) {
            tokens += Math.min(maxTokens, model.embedder().tokenizer().tokenize(text).size());
        }
        long floats = tokens * model.dims() * (layers ? model.options().outputLayers() : 1);
        if (floats > MAX_OUTPUT_FLOATS) {
            throw new IllegalArgumentException("[output] [" + request.output().name().toLowerCase(java.util.Locale.ROOT) + "] for these "
                    + tokens + " tokens would be " + floats + " numbers, over the limit of " + MAX_OUTPUT_FLOATS
                    + ": send fewer or shorter texts, or ask for [output] [pooled]");
        }
    }
}
