package org.elmosearch.node;

import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.TokenCacheStats;
import org.elmosearch.elmo.WeightPrecision;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.rank.TokenStatistics;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The models of this node: {@code <models dir>/<model_id>/} is a {@link ModelDirectory} ({@code model.onnx}, or
 * {@code options.json} + {@code weights.hdf5}, and optionally {@code token-statistics.json}), plus optionally
 * {@code settings.json} with the model's default {@link EmbeddingSpec}. Each model is loaded once, on first use or by {@link #loadAll}, and shared by all threads;
 * a model that fails to load keeps its error (shown by {@code GET _elmo/models}) until {@link #reload} loads its
 * files again. Users hold a {@link ModelLease} while they run a model, so that a reload can replace it safely.
 *
 * <p>Each load is measured ({@link ModelMemory}) and must fit the node's {@link #memoryBudget budget}: what the other
 * models in service hold, plus what this one is expected to need (what it measured when it was last loaded, but at
 * least its serialized graph's size). A load that does not fit is refused, and fails like a load whose files are bad.
 *
 * <p>Models of the cluster's model store come in through {@link #install} from files a node materialized; where the
 * config directory has a model of the same id, the config directory wins on that node and the stored version is
 * reported as shadowed.
 */
public final class ElmoModelRegistry implements Closeable {

    public static final String SETTINGS_FILE = "settings.json";
    /** The {@code settings.json} key that builds the graph with int8 LSTM weights (see {@link WeightPrecision}). */
    public static final String WEIGHT_PRECISION = "weight_precision";
    /** The node setting that sets {@link #memoryBudget}; named in refusals. */
    public static final String MAX_MEMORY_SETTING = "elmo.models.max_memory";
    static final List<String> SETTINGS_KEYS = List.of(EmbeddingSpec.MIX, EmbeddingSpec.POOLING, EmbeddingSpec.NORMALIZE,
            EmbeddingSpec.MAX_TOKENS, WEIGHT_PRECISION);

    /**
     * Resident memory is the process's: loads take turns, so that each one's growth is its own and each budget check
     * counts the loads before it (static: two nodes may share a JVM in tests).
     */
    private static final Object LOADS = new Object();

    private final Path root;
    private final int threads;
    private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();
    /** The native bytes of each model in service, by id: what the budget counts. */
    private final ConcurrentMap<String, Long> nativeBytesInService = new ConcurrentHashMap<>();
    private volatile long memoryBudget = Long.MAX_VALUE;
    /** Stored versions not served because the config directory has a model of the same id. */
    private final ConcurrentMap<String, String> shadowed = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param root    the models directory
     * @param threads ONNX Runtime intra-op threads per model
     */
    public ElmoModelRegistry(Path root, int threads) {
        this.root = root.toAbsolutePath().normalize();
        this.threads = threads;
    }

    public Path root() {
        return root;
    }

    /** The native bytes this node's models may hold together; checked at each load, not at the models in service. */
    public void memoryBudget(long bytes) {
        this.memoryBudget = bytes;
    }

    /** The native memory of the models in service and the budget. */
    public ElmoStats.Memory memory() {
        return new ElmoStats.Memory(nativeBytesHeld(null), memoryBudget);
    }

    /**
     * Whether this node has the model's directory (loaded or not). A stored model counts once a version of it is in
     * service here or failed here (answered like a config model that failed), so that while it is fetched and loaded
     * embedding requests go to the nodes that serve it.
     *
     * @throws IllegalArgumentException for an id that is not a plain name
     */
    public boolean has(String id) {
        if (inConfigDirectory(id)) {
            return true;
        }
        Slot slot = slots.get(id);
        return slot != null && (slot.version == null || slot.current != null || slot.error != null);
    }

    /**
     * A lease on the loaded model, loading it if needed (the caller waits); close it when the run is done.
     *
     * @throws IllegalArgumentException  for an id that is not a plain name
     * @throws ResourceNotFoundException for a model that is not on this node
     * @throws ElasticsearchStatusException 409 Conflict for a model that could not be loaded: a retry cannot help
     *                                      until its files are fixed and it is reloaded
     */
    public ModelLease acquire(String id) {
        return slot(id).acquire();
    }

    /**
     * Loads the model's files again (new weights, settings, or a retry after a failed load) and puts the new model
     * in service; runs already holding the old one finish with it, and it is closed after them. If the files do not
     * load, the model loaded before (if any) stays in service and the error is thrown.
     *
     * @return the model's state after the reload
     */
    public ModelInfo reload(String id) {
        Slot slot = slot(id);
        slot.reload();
        return slot.info();
    }

    private Slot slot(String id) {
        Path dir = ModelId.resolve(root, id);
        Slot slot = slots.get(id);
        if (slot == null) {
            if (!Files.isDirectory(dir)) {
                throw new ResourceNotFoundException("[model_id] [" + id + "]: no such model on this node; models: " + ids() + " in [" + root + "]");
            }
            slot = slots.computeIfAbsent(id, k -> new Slot(id, dir, null));
        }
        return slot;
    }

    /**
     * Puts a stored model's version in service from its files in {@code dir}, as a reload does: runs in progress
     * finish on the version they started with. Where the files do not load, the version served before (if any)
     * stays in service and the error is thrown. A model of the same id in the config directory wins: nothing is
     * loaded and the version is reported as shadowed.
     *
     * @return the model's state after the load
     */
    public ModelInfo install(String id, String version, Path dir) {
        if (shadowedByConfig(id, version)) {
            return slot(id).info();
        }
        Slot slot = slots.computeIfAbsent(id, k -> new Slot(id, null, version));
        slot.reload(dir, version);
        return slot.info();
    }

    /**
     * Where the config directory has a model of this id, records the stored version as shadowed by it.
     *
     * @return whether the config directory's model wins, so that the stored version need not be fetched
     */
    public boolean shadowedByConfig(String id, String version) {
        if (!inConfigDirectory(id)) {
            return false;
        }
        shadowed.put(id, version);
        return true;
    }

    /**
     * Reports a stored model this node does not serve yet as loading while its files are fetched; requests for it
     * go to the nodes that serve it meanwhile (see {@link #has}).
     */
    public void fetching(String id, String version) {
        slots.computeIfAbsent(id, k -> new Slot(id, null, version)).fetching(version);
    }

    /**
     * Records that a stored model's version could not be fetched; a node that serves an older version keeps it.
     */
    public void installFailed(String id, String version, String error) {
        if (inConfigDirectory(id)) {
            return;
        }
        slots.computeIfAbsent(id, k -> new Slot(id, null, version)).failed(version, error);
    }

    /**
     * Takes a stored model out of service; runs in progress finish on it. A model of the config directory stays.
     *
     * @return whether a stored model was in service here
     */
    public boolean uninstall(String id) {
        shadowed.remove(id);
        Slot slot = slots.get(id);
        if (slot == null || slot.version == null || !slots.remove(id, slot)) {
            return false;
        }
        slot.close();
        nativeBytesInService.remove(id);
        return true;
    }

    /** The stored versions this node serves or shadows, by model id: what it needs not fetch again. */
    public Map<String, String> storedVersions() {
        Map<String, String> versions = new TreeMap<>(shadowed);
        slots.forEach((id, slot) -> {
            if (slot.version != null && slot.current != null) {
                versions.put(id, slot.version);
            }
        });
        return versions;
    }

    /**
     * Checks that the files in {@code dir} make a model this node could serve, by loading it and closing it again.
     * The trial holds its memory beside the models in service, so it must fit the budget beside them all.
     *
     * @throws IOException                   naming what does not load
     * @throws ElasticsearchStatusException 429 Too Many Requests where the trial does not fit the memory budget now
     */
    public void check(String id, Path dir) throws IOException {
        ModelFiles files = read(dir);
        synchronized (LOADS) {
            long expected = files.model().serializedSize();
            long inService = nativeBytesHeld(null);
            if (expected > memoryBudget - inService) {
                throw new ElasticsearchStatusException("[model_id] [" + id + "]: no room on this node to try the upload: "
                        + budgetShortfall(expected, inService, "the models in service"), RestStatus.TOO_MANY_REQUESTS);
            }
            files.open(id, threads).close();
        }
    }

    /** Loads every model found on disk, recording failures instead of throwing. */
    public void loadAll() {
        for (String id : ids()) {
            try {
                acquire(id).close();
            } catch (RuntimeException e) {
                // Kept in the slot and reported by describe().
            }
        }
    }

    /** Every model on disk or in memory, by id. */
    public List<ModelInfo> describe() {
        Map<String, ModelInfo> infos = new TreeMap<>();
        for (String id : ids()) {
            infos.put(id, new ModelInfo(id, ModelInfo.State.AVAILABLE, 0, 0, 0, null, null, null, null, configSource(id)));
        }
        slots.forEach((id, slot) -> infos.put(id, slot.info()));
        return new ArrayList<>(infos.values());
    }

    /** The token-vector cache counters of every loaded model, by id. */
    public Map<String, TokenCacheStats> tokenCaches() {
        Map<String, TokenCacheStats> caches = new TreeMap<>();
        slots.forEach((id, slot) -> {
            ModelGeneration g = slot.current;
            if (g != null) {
                caches.put(id, g.model().encoder().tokenCacheStats());
            }
        });
        return caches;
    }

    /** The ids of the model directories on disk, sorted. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                try {
                    ModelId.resolve(root, name);
                    ids.add(name);
                } catch (IllegalArgumentException e) {
                    // A directory no request could name: not a model.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the models directory [" + root + "]: " + e.getMessage(), e);
        }
        ids.sort(null);
        return ids;
    }

    /** Whether the config directory has a model of this id, which wins over the cluster's model store on this node. */
    private boolean inConfigDirectory(String id) {
        return Files.isDirectory(ModelId.resolve(root, id));
    }

    private ModelSource configSource(String id) {
        String hidden = shadowed.get(id);
        return hidden == null ? ModelSource.CONFIG : new ModelSource(ModelSource.Kind.CONFIG, null, hidden);
    }

    @Override
    public void close() {
        closed = true;
        slots.values().forEach(Slot::close);
    }

    /** Loads a model directory and counts it in service. Package-private for tests. */
    LoadedModel load(String id, Path dir) throws IOException {
        ModelFiles files = read(dir);
        synchronized (LOADS) {
            checkMemoryBudget(id, files.model());
            LoadedModel loaded = files.open(id, threads);
            nativeBytesInService.put(id, loaded.memory().nativeBytes());
            return loaded;
        }
    }

    /** A model directory read and checked, ready to open. */
    private record ModelFiles(ElmoModel model, EmbeddingSpec defaults, TokenStatistics statistics) {
        LoadedModel open(String id, int threads) {
            return LoadedModel.open(id, model, threads, defaults, statistics);
        }
    }

    private static ModelFiles read(Path dir) throws IOException {
        ModelSettings settings = readSettings(dir.resolve(SETTINGS_FILE));
        boolean onnx = Files.isRegularFile(dir.resolve(ModelDirectory.ONNX_FILE));
        // A model.onnx keeps the precision it was converted with: checked here, so that the message names the setting.
        ModelDirectory folder = ModelDirectory.load(dir, onnx ? null : settings.precision());
        ElmoModel model = folder.model();
        if (onnx && settings.precision() != null && settings.precision() != model.precision()) {
            throw new IOException(SETTINGS_FILE + ": [" + WEIGHT_PRECISION + "] is [" + settings.precision().id() + "] but "
                    + ModelDirectory.ONNX_FILE + " was converted with [" + model.precision().id() + "] weights; convert it again with "
                    + "`elmo convert --precision " + settings.precision().id() + "` or remove the setting");
        }
        EmbeddingSpec defaults = settings.embedding().orElse(EmbeddingSpec.DEFAULTS);
        try {
            defaults.scalarMix(model.options().outputLayers());
        } catch (IllegalArgumentException e) {
            throw new IOException(SETTINGS_FILE + ": " + e.getMessage(), e);
        }
        return new ModelFiles(model, defaults, folder.statistics());
    }

    /** Refuses a load that would take the node's models past {@link #memoryBudget}; a model being reloaded counts once. */
    private void checkMemoryBudget(String id, ElmoModel model) {
        long expected = Math.max(model.serializedSize(), nativeBytesInService.getOrDefault(id, 0L));
        long others = nativeBytesHeld(id);
        if (expected > memoryBudget - others) {
            throw new IllegalStateException("refused: " + budgetShortfall(expected, others, "the other models"));
        }
    }

    /** The native bytes of the models in service, but {@code except}'s (null: all). */
    private long nativeBytesHeld(String except) {
        long held = 0;
        for (Map.Entry<String, Long> e : nativeBytesInService.entrySet()) {
            held += e.getKey().equals(except) ? 0 : e.getValue();
        }
        return held;
    }

    private String budgetShortfall(long expected, long held, String holders) {
        return "it needs about " + ByteSizeValue.ofBytes(expected) + " of native memory, and " + holders + " on this node hold "
                + ByteSizeValue.ofBytes(held) + " of the " + ByteSizeValue.ofBytes(memoryBudget) + " that [" + MAX_MEMORY_SETTING
                + "] allows; raise [" + MAX_MEMORY_SETTING + "] or take models off this node";
    }

    /**
     * A model directory's {@code settings.json}: embedding defaults, and how to store the weights when the graph is
     * built from HDF5 ({@code precision} null where the file does not say).
     */
    record ModelSettings(EmbeddingSpec embedding, WeightPrecision precision) {
    }

    static ModelSettings readSettings(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return new ModelSettings(EmbeddingSpec.NONE, null);
        }
        try {
            Map<String, Object> map = new HashMap<>(XContentHelper.convertToMap(JsonXContent.jsonXContent, Files.readString(file), false));
            String unknown = UnknownOptions.first(map.keySet(), SETTINGS_KEYS);
            if (unknown != null) {
                // Not prefixed below: the message names the file already.
                throw new IOException(UnknownOptions.message(SETTINGS_FILE, unknown, SETTINGS_KEYS));
            }
            Object precision = map.remove(WEIGHT_PRECISION);
            EmbeddingSpec spec = EmbeddingSpec.take(map);
            if (precision != null && !(precision instanceof String)) {
                throw new IllegalArgumentException("[" + WEIGHT_PRECISION + "] must be a string, got [" + precision + "]");
            }
            try {
                return new ModelSettings(spec, precision == null ? null : WeightPrecision.parse((String) precision));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[" + WEIGHT_PRECISION + "]: " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            throw new IOException(SETTINGS_FILE + ": " + e.getMessage(), e);
        }
    }

    /**
     * One model's load state; the first caller loads, concurrent callers wait for it. A reload loads outside the
     * slot's lock, so that runs go on with the current model meanwhile, and swaps under it.
     */
    private final class Slot {
        private final String id;
        /** The files loaded last; a stored model's change with each version. */
        private volatile Path dir;
        /** The stored version in service (or that failed, where none is); null for a config model. */
        private volatile String version;
        private final Object reloading = new Object();
        private volatile ModelGeneration current;
        private volatile String error;
        private volatile boolean loading;

        Slot(String id, Path dir, String version) {
            this.id = id;
            this.dir = dir;
            this.version = version;
        }

        synchronized ModelLease acquire() {
            if (current == null && error == null) {
                if (dir == null) {
                    // Unlike a failed model, this one will serve soon: 503 tells a client that retrying helps.
                    throw new ElasticsearchStatusException("[model_id] [" + id + "] is still loading on this node",
                            RestStatus.SERVICE_UNAVAILABLE);
                }
                if (closed) {
                    throw new IllegalStateException("the node is shutting down");
                }
                loading = true;
                try {
                    current = new ModelGeneration(load(id, dir));
                } catch (IOException | RuntimeException | LinkageError e) {
                    error = message(e);
                } finally {
                    loading = false;
                }
            }
            if (current == null) {
                // An ElasticsearchStatusException keeps its status across the transport, where the model ran on another node.
                throw new ElasticsearchStatusException("[model_id] [" + id + "] failed to load: " + error, RestStatus.CONFLICT);
            }
            return current.enter();
        }

        void reload() {
            Path files = dir;
            if (files == null) {
                throw new IllegalStateException("[model_id] [" + id + "]: the stored version [" + version + "] was not fetched: " + error);
            }
            reload(files, version);
        }

        /** Loads {@code files} (of the stored {@code newVersion}, or null) and puts them in service. */
        void reload(Path files, String newVersion) {
            synchronized (reloading) {
                LoadedModel fresh;
                loading = true;
                try {
                    fresh = load(id, files);
                } catch (IOException | RuntimeException | LinkageError e) {
                    synchronized (this) {
                        if (current == null) {
                            error = message(e);
                            version = newVersion;
                        }
                    }
                    throw new IllegalStateException("[model_id] [" + id + "] failed to reload: " + message(e)
                            + (current == null ? "" : "; the model loaded before stays in service"), e);
                } finally {
                    loading = false;
                }
                ModelGeneration replaced;
                synchronized (this) {
                    if (closed) {
                        fresh.close();
                        throw new IllegalStateException("the node is shutting down");
                    }
                    replaced = current;
                    current = new ModelGeneration(fresh);
                    error = null;
                    dir = files;
                    version = newVersion;
                }
                if (replaced != null) {
                    replaced.retire();
                }
            }
        }

        synchronized void fetching(String newVersion) {
            if (current == null) {
                error = null;
                version = newVersion;
                loading = true;
            }
        }

        synchronized void failed(String failedVersion, String message) {
            if (current == null) {
                error = message;
                version = failedVersion;
                loading = false;
            }
        }

        private ModelSource source() {
            String v = version;
            return v == null ? configSource(id) : ModelSource.cluster(v);
        }

        // Not synchronized: describe() must answer while a load holds the lock, so it reads a racy snapshot.
        ModelInfo info() {
            ModelGeneration g = current;
            if (g != null) {
                LoadedModel m = g.model();
                return new ModelInfo(id, ModelInfo.State.LOADED, m.dims(), m.options().outputLayers(), m.parameterCount(),
                        m.precision().id(), null, m.statistics() == null ? null : ModelInfo.StatisticsSummary.of(m.statistics()), m.memory(), source());
            }
            String e = error;
            if (e != null) {
                return new ModelInfo(id, ModelInfo.State.FAILED, 0, 0, 0, null, e, null, null, source());
            }
            return new ModelInfo(id, loading ? ModelInfo.State.LOADING : ModelInfo.State.AVAILABLE, 0, 0, 0, null, null, null, null, source());
        }

        synchronized void close() {
            if (current != null) {
                current.retire();
                current = null;
                error = "closed";
            }
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
