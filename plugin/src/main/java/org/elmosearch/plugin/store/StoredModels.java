package org.elmosearch.plugin.store;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.cluster.ClusterChangedEvent;
import org.elasticsearch.cluster.ClusterStateListener;
import org.elasticsearch.cluster.routing.IndexRoutingTable;
import org.elasticsearch.gateway.GatewayService;
import org.elmosearch.node.ElmoModelRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Keeps this node's stored models in line with the cluster's model store: fetches each version in service into a
 * folder under the node's temp dir, loads it, and unloads the models the store no longer has. It syncs by itself
 * once the store's index is readable after the node starts or joins, when an upload is committed or a model
 * deleted ({@link #sync}, called by every node's share of the sync action), and at a fixed interval
 * ({@link #checkForChanges}), for a node that missed a commit or delete while it stayed in the cluster.
 */
public final class StoredModels implements ClusterStateListener {

    private static final Logger LOGGER = LogManager.getLogger(StoredModels.class);

    private final ModelStore store;
    private final ElmoModelRegistry registry;
    private final Path folder;
    private final Executor executor;
    /** Whether this node synced since the store's index last became readable. */
    private final AtomicBoolean synced = new AtomicBoolean();
    /** The version of each model this node last tried to fetch and load: the periodic check does not try it again. */
    private final Map<String, String> attempted = new ConcurrentHashMap<>();

    /**
     * @param folder   where the node writes the fetched files (under its temp dir); emptied first
     * @param executor where syncs run: they read the store and load models, which takes a while
     */
    public StoredModels(ModelStore store, ElmoModelRegistry registry, Path folder, Executor executor) throws IOException {
        this.store = store;
        this.registry = registry;
        this.folder = folder;
        this.executor = executor;
        deleteTree(folder);
        Files.createDirectories(folder);
    }

    @Override
    public void clusterChanged(ClusterChangedEvent event) {
        if (event.state().blocks().hasGlobalBlock(GatewayService.STATE_NOT_RECOVERED_BLOCK)) {
            return;
        }
        IndexRoutingTable table = event.state().routingTable().index(ModelStore.INDEX);
        if (table == null || !table.allPrimaryShardsActive()) {
            synced.set(false);
            return;
        }
        if (synced.compareAndSet(false, true)) {
            executor.execute(() -> {
                try {
                    sync();
                } catch (RuntimeException e) {
                    // Tried again at the next cluster state change that finds the index readable.
                    synced.set(false);
                    LOGGER.warn("could not load the models stored in the cluster", e);
                }
            });
        }
    }

    /**
     * Checks an upload before it replaces anything: fetches its files into a scratch folder, checking every chunk and
     * checksum, and loads them as this node would.
     *
     * @throws IllegalArgumentException (a 400) naming the file, chunk or load error that refuses the upload
     */
    public void check(ModelManifest manifest) throws IOException {
        Path dir = folder.resolve(".check-" + manifest.version());
        try {
            store.materialize(manifest, dir);
            try {
                registry.check(manifest.modelId(), dir);
            } catch (ElasticsearchStatusException noRoomNow) {
                throw noRoomNow;
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("upload [" + manifest.version() + "] of model [" + manifest.modelId()
                        + "] does not make a loadable model: " + e.getMessage(), e);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Fetches and loads the versions in service that this node lacks, and unloads the models deleted. */
    public void sync() {
        sync(true);
    }

    /**
     * As {@link #sync}, but leaves alone a version that this node tried already and could not serve (which a commit,
     * a delete or a restart tries again): a model over the memory budget is not fetched again at every interval.
     * Does nothing until the store's index is readable.
     */
    public void checkForChanges() {
        if (!synced.get()) {
            return;
        }
        try {
            sync(false);
        } catch (RuntimeException e) {
            LOGGER.warn("could not check the cluster's model store for changes", e);
        }
    }

    private synchronized void sync(boolean retryFailed) {
        Map<String, ModelManifest> wanted = store.current();
        Map<String, String> have = registry.storedVersions();
        for (ModelManifest manifest : wanted.values()) {
            String id = manifest.modelId();
            if (!manifest.version().equals(have.get(id)) && (retryFailed || !manifest.version().equals(attempted.get(id)))) {
                install(manifest);
            }
        }
        for (String id : have.keySet()) {
            if (!wanted.containsKey(id)) {
                attempted.remove(id);
                registry.uninstall(id);
                deleteTree(folder.resolve(id));
                LOGGER.info("unloaded model [{}]: deleted from the cluster's model store", id);
            }
        }
    }

    private void install(ModelManifest manifest) {
        String id = manifest.modelId();
        attempted.put(id, manifest.version());
        if (registry.shadowedByConfig(id, manifest.version())) {
            LOGGER.info("model [{}]: the config directory's model wins over version [{}] of the cluster's model store", id, manifest.version());
            return;
        }
        Path dir = folder.resolve(id).resolve(manifest.version());
        registry.fetching(id, manifest.version());
        try {
            deleteTree(dir);
            store.materialize(manifest, dir);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            String reason = "fetching version [" + manifest.version() + "] from the cluster's model store failed: " + e.getMessage();
            registry.installFailed(id, manifest.version(), reason);
            LOGGER.warn("model [" + id + "]: " + reason, e);
            return;
        }
        try {
            registry.install(id, manifest.version(), dir);
            LOGGER.info("loaded model [{}] version [{}] from the cluster's model store", id, manifest.version());
        } catch (RuntimeException e) {
            LOGGER.warn("model [" + id + "] version [" + manifest.version() + "] did not load", e);
        }
        // Only the version in service needs its files (a reload reads them again).
        try (Stream<Path> versions = Files.list(folder.resolve(id))) {
            String serving = registry.storedVersions().get(id);
            for (Path other : versions.toList()) {
                if (!other.getFileName().toString().equals(serving)) {
                    deleteTree(other);
                }
            }
        } catch (IOException e) {
            LOGGER.warn("could not clean the fetched files of model [" + id + "]", e);
        }
    }

    private static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
