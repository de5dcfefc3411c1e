package org.elmosearch.plugin;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.util.SetOnce;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.common.unit.RatioValue;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.env.Environment;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule;
import org.elasticsearch.index.mapper.Mapper;
import org.elasticsearch.ingest.Processor;
import org.elasticsearch.monitor.os.OsProbe;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.IngestPlugin;
import org.elasticsearch.plugins.MapperPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.plugins.SystemIndexPlugin;
import org.elasticsearch.indices.SystemIndexDescriptor;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.threadpool.ExecutorBuilder;
import org.elasticsearch.threadpool.FixedExecutorBuilder;
import org.elasticsearch.threadpool.Scheduler;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.analysis.ElmoTokenizer;
import org.elmosearch.ingest.ElmoProcessor;
import org.elmosearch.node.ElmoModelRegistry;
import org.elmosearch.node.ElmoStats;
import org.elmosearch.node.EmbeddingBatcher;
import org.elmosearch.plugin.action.ElmoNodesAction;
import org.elmosearch.plugin.action.ReloadModelAction;
import org.elmosearch.plugin.action.CommitModelAction;
import org.elmosearch.plugin.action.DeleteModelAction;
import org.elmosearch.plugin.action.PutModelAction;
import org.elmosearch.plugin.action.PutModelChunkAction;
import org.elmosearch.plugin.action.SyncStoredModelsAction;
import org.elmosearch.plugin.rest.RestCommitModelAction;
import org.elmosearch.plugin.rest.RestDeleteModelAction;
import org.elmosearch.plugin.rest.RestPutModelAction;
import org.elmosearch.plugin.rest.RestPutModelChunkAction;
import org.elmosearch.plugin.store.ModelStore;
import org.elmosearch.plugin.store.StoredModels;
import org.elmosearch.plugin.action.EmbedAction;
import org.elmosearch.plugin.mapper.ElmoTokenVectorsFieldMapper;
import org.elmosearch.plugin.rest.RestEmbedAction;
import org.elmosearch.plugin.rest.RestModelsAction;
import org.elmosearch.plugin.rest.RestReloadModelAction;
import org.elmosearch.plugin.rest.RestStatsAction;
import org.elmosearch.plugin.search.ElmoFusionRetrieverBuilder;
import org.elmosearch.plugin.search.ElmoQueryVectorBuilder;
import org.elmosearch.plugin.search.ElmoRescorerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Registers ELMo with Elasticsearch: models, the elmo ingest processor, the elmo_token_vectors field, search
 * extensions (query vector builder, rescorer, the elmo_fusion retriever), tokenizer, REST API, and the cluster's
 * model store (a system index).
 */
public class ElmoPlugin extends Plugin implements IngestPlugin, SearchPlugin, SystemIndexPlugin, AnalysisPlugin, MapperPlugin {

    /** Runs embedding batches, so that ingest, search and transport threads never wait on ONNX Runtime. */
    public static final String THREAD_POOL = "elmo";

    /** Where models live; relative paths resolve against the config directory. */
    public static final Setting<String> MODELS_PATH = Setting.simpleString("elmo.models_path", "elmo", Setting.Property.NodeScope);
    /**
     * ONNX Runtime threads per model run; 0 lets ONNX Runtime use every core. Each thread of the {@code elmo} pool
     * makes one run at a time, so the two defaults keep pool size × threads per run within the node's allocated
     * processors, lest concurrent runs fight over the cores; values set explicitly are used as given, even past them.
     */
    public static final Setting<Integer> INFERENCE_THREADS = Setting.intSetting("elmo.inference_threads",
            s -> Integer.toString(defaultInferenceThreads(EsExecutors.allocatedProcessors(s))), 0, 1024, Setting.Property.NodeScope);
    /** Load every model at node start rather than on first use. */
    public static final Setting<Boolean> PRELOAD = Setting.boolSetting("elmo.preload_models", true, Setting.Property.NodeScope);
    /**
     * Micro-batching of the embedding requests that queue together (a bulk's documents, concurrent queries); off
     * embeds each request on its own, to measure what batching gains on the same build.
     */
    public static final Setting<Boolean> BATCHING = Setting.boolSetting("elmo.batching", true, Setting.Property.NodeScope);
    /**
     * The native memory (ONNX Runtime sessions) the node's models may hold together: a byte size, or a percentage of
     * the node's memory. The default, 25%, leaves room for the heap (Elasticsearch gives it half the memory) and for
     * the page cache that Lucene reads the indices through. Dynamic: checked at each load and reload.
     */
    public static final Setting<ByteSizeValue> MAX_MODEL_MEMORY = new Setting<>(ElmoModelRegistry.MAX_MEMORY_SETTING, "25%",
            value -> parseMemoryBudget(value, OsProbe.getInstance().getAdjustedTotalMemorySize()), Setting.Property.NodeScope,
            Setting.Property.Dynamic);

    /**
     * How often a node checks the cluster's model store for a version it lacks: the safety net for a commit or delete
     * it missed while it stayed in the cluster (it is told of each one as it happens).
     */
    public static final Setting<TimeValue> MODELS_SYNC_INTERVAL = Setting.timeSetting("elmo.models.sync_interval",
            TimeValue.timeValueMinutes(1), TimeValue.timeValueSeconds(1), Setting.Property.NodeScope);

    private final SetOnce<ElmoModelRegistry> registry = new SetOnce<>();
    private final SetOnce<Scheduler.Cancellable> storeChecks = new SetOnce<>();
    private final SetOnce<EmbeddingBatcher> batcher = new SetOnce<>();

    @Override
    public List<Setting<?>> getSettings() {
        return List.of(MODELS_PATH, INFERENCE_THREADS, PRELOAD, BATCHING, MAX_MODEL_MEMORY, MODELS_SYNC_INTERVAL);
    }

    /**
     * {@code value} as {@link #MAX_MODEL_MEMORY} reads it: a byte size, or a percentage of {@code nodeMemoryBytes}
     * (no budget where the node's memory is unknown, 0, rather than refusing every model).
     */
    static ByteSizeValue parseMemoryBudget(String value, long nodeMemoryBytes) {
        if (value.endsWith("%")) {
            if (nodeMemoryBytes <= 0) {
                return ByteSizeValue.ofBytes(Long.MAX_VALUE);
            }
            return ByteSizeValue.ofBytes((long) (nodeMemoryBytes * RatioValue.parseRatioValue(value).getAsRatio()));
        }
        return ByteSizeValue.parseBytesSizeValue(value, ElmoModelRegistry.MAX_MEMORY_SETTING);
    }

    @Override
    public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
        int size = defaultThreadPoolSize(EsExecutors.allocatedProcessors(settings), INFERENCE_THREADS.get(settings));
        return List.of(new FixedExecutorBuilder(settings, THREAD_POOL, size, 10_000, "elmo.thread_pool",
                EsExecutors.TaskTrackingConfig.DO_NOT_TRACK));
    }

    /** The default of {@link #INFERENCE_THREADS}: one per processor, at most 4. */
    static int defaultInferenceThreads(int processors) {
        return Math.min(4, processors);
    }

    /**
     * The default size of the {@code elmo} pool (the setting {@code elmo.thread_pool.size} overrides it): as many
     * concurrent runs as the processors hold at {@code inferenceThreads} each, at least one.
     */
    static int defaultThreadPoolSize(int processors, int inferenceThreads) {
        // 0 lets ONNX Runtime give each run every core: one run at a time already fills the node.
        int threadsPerRun = inferenceThreads == 0 ? processors : inferenceThreads;
        return Math.max(1, processors / threadsPerRun);
    }

    static Path modelsPath(Environment environment) {
        return environment.configDir().resolve(MODELS_PATH.get(environment.settings())).toAbsolutePath().normalize();
    }

    @Override
    public Collection<?> createComponents(PluginServices services) {
        Environment environment = services.environment();
        ThreadPool threadPool = services.threadPool();
        ElmoModelRegistry models = new ElmoModelRegistry(modelsPath(environment), INFERENCE_THREADS.get(environment.settings()));
        registry.set(models);
        services.clusterService().getClusterSettings().initializeAndWatch(MAX_MODEL_MEMORY, budget -> models.memoryBudget(budget.getBytes()));
        ElmoStats stats = new ElmoStats();
        EmbeddingBatcher embeddingBatcher = new EmbeddingBatcher(models, stats, threadPool.executor(THREAD_POOL), threadPool.getThreadContext(),
                BATCHING.get(environment.settings()));
        batcher.set(embeddingBatcher);
        if (PRELOAD.get(environment.settings())) {
            threadPool.executor(THREAD_POOL).execute(models::loadAll);
        }
        ModelStore store = new ModelStore(services::client, services.clusterService(), threadPool.getThreadContext());
        StoredModels storedModels;
        try {
            // Per node id: nodes of one test JVM share its temp dir.
            Path folder = environment.tmpDir().resolve("elmo-models-" + services.nodeEnvironment().nodeId());
            storedModels = new StoredModels(store, models, folder, threadPool.generic());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the folder for the models stored in the cluster", e);
        }
        services.clusterService().addListener(storedModels);
        storeChecks.set(threadPool.scheduleWithFixedDelay(storedModels::checkForChanges, MODELS_SYNC_INTERVAL.get(environment.settings()),
                threadPool.generic()));
        return List.of(models, stats, embeddingBatcher, store, storedModels);
    }

    @Override
    public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
        // Processors are registered before components exist; pipelines are only built once the node runs.
        return Map.of(ElmoProcessor.TYPE, new ElmoProcessor.Factory(() -> {
            EmbeddingBatcher b = batcher.get();
            if (b == null) {
                throw new IllegalStateException("the elmo plugin is not initialised yet");
            }
            return b;
        }));
    }

    @Override
    public Collection<ActionHandler> getActions() {
        return List.of(new ActionHandler(EmbedAction.TYPE, EmbedAction.class), new ActionHandler(ElmoNodesAction.TYPE, ElmoNodesAction.class),
                new ActionHandler(ReloadModelAction.TYPE, ReloadModelAction.class), new ActionHandler(PutModelAction.TYPE, PutModelAction.class),
                new ActionHandler(PutModelChunkAction.TYPE, PutModelChunkAction.class),
                new ActionHandler(CommitModelAction.TYPE, CommitModelAction.class), new ActionHandler(DeleteModelAction.TYPE, DeleteModelAction.class),
                new ActionHandler(SyncStoredModelsAction.TYPE, SyncStoredModelsAction.class));
    }

    @Override
    public Collection<RestHandler> getRestHandlers(RestHandlersServices services, Supplier<DiscoveryNodes> nodesInCluster,
                                                   Predicate<NodeFeature> clusterSupportsFeature) {
        return List.of(new RestEmbedAction(), new RestModelsAction(), new RestStatsAction(), new RestReloadModelAction(), new RestPutModelAction(),
                new RestPutModelChunkAction(), new RestCommitModelAction(), new RestDeleteModelAction());
    }

    @Override
    public Collection<SystemIndexDescriptor> getSystemIndexDescriptors(Settings settings) {
        return List.of(ModelStore.descriptor());
    }

    @Override
    public String getFeatureName() {
        return "elmo";
    }

    @Override
    public String getFeatureDescription() {
        return "ELMo models stored in the cluster";
    }

    @Override
    public List<QueryVectorBuilderSpec<?>> getQueryVectorBuilders() {
        return List.of(new QueryVectorBuilderSpec<>(ElmoQueryVectorBuilder.NAME, ElmoQueryVectorBuilder::new,
                (XContentParser parser, Void context) -> {
                    try {
                        return ElmoQueryVectorBuilder.fromXContent(parser);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
    }

    @Override
    public List<RescorerSpec<?>> getRescorers() {
        return List.of(new RescorerSpec<>(ElmoRescorerBuilder.NAME, ElmoRescorerBuilder::new, ElmoRescorerBuilder::fromXContent));
    }

    @Override
    public List<RetrieverSpec<?>> getRetrievers() {
        return List.of(new RetrieverSpec<>(ElmoFusionRetrieverBuilder.NAME, ElmoFusionRetrieverBuilder::fromXContent));
    }

    @Override
    public Map<String, Mapper.TypeParser> getMappers() {
        return Map.of(ElmoTokenVectorsFieldMapper.CONTENT_TYPE, ElmoTokenVectorsFieldMapper.PARSER);
    }

    @Override
    public Map<String, AnalysisModule.AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("elmo", (indexSettings, environment, name, settings) -> new AbstractTokenizerFactory(name) {
            @Override
            public Tokenizer create() {
                return new ElmoTokenizer();
            }
        });
    }

    @Override
    public void close() {
        Scheduler.Cancellable checks = storeChecks.get();
        if (checks != null) {
            checks.cancel();
        }
        // Frees the ONNX Runtime sessions' native memory.
        ElmoModelRegistry models = registry.get();
        if (models != null) {
            models.close();
        }
    }
}
