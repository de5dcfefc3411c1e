package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRunnable;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.TransportAction;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.TextLayers;
import org.elmosearch.node.EmbeddingBatcher;
import org.elmosearch.node.LoadedModel;
import org.elmosearch.plugin.ElmoPlugin;

import java.util.ArrayList;
import java.util.List;

/** Embeds texts on the local node: pooled and token vectors through the batcher, raw layers directly. */
public final class EmbedAction extends TransportAction<EmbedRequest, EmbedResponse> {

    public static final String NAME = "cluster:internal/elmo/embed";
    public static final ActionType<EmbedResponse> TYPE = new ActionType<>(NAME);

    private final EmbeddingBatcher batcher;
    private final ThreadPool threadPool;

    @Inject
    public EmbedAction(TransportService transportService, ActionFilters actionFilters, EmbeddingBatcher batcher, ThreadPool threadPool) {
        super(NAME, actionFilters, transportService.getTaskManager(), EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.batcher = batcher;
        this.threadPool = threadPool;
    }

    @Override
    protected void doExecute(Task task, EmbedRequest request, ActionListener<EmbedResponse> listener) {
        if (request.output() == EmbedRequest.Output.LAYERS) {
            threadPool.executor(ElmoPlugin.THREAD_POOL).execute(ActionRunnable.wrap(listener, l -> {
                LoadedModel model = batcher.registry().get(request.modelId());
                int maxTokens = model.resolve(request.spec()).maxTokens();
                List<EmbedResponse.Result> results = new ArrayList<>();
                for (TextLayers text : model.embedder().layers(request.texts(), maxTokens)) {
                    results.add(new EmbedResponse.Result(text.tokens(), text.truncated(), null, null, text.layers()));
                }
                l.onResponse(new EmbedResponse(request.modelId(), model.dims(), results));
            }));
            return;
        }
        boolean tokens = request.output() == EmbedRequest.Output.TOKENS;
        batcher.embed(request.modelId(), request.texts(), request.spec(), listener.map(embeddings -> {
            List<EmbedResponse.Result> results = new ArrayList<>();
            for (EmbeddedText text : embeddings.texts()) {
                results.add(new EmbedResponse.Result(text.tokens(), text.truncated(), text.vector(), tokens ? text.tokenVectors() : null, null));
            }
            return new EmbedResponse(request.modelId(), embeddings.dims(), results);
        }));
    }
}
