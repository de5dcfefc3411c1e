package org.elmosearch.plugin.store;

import org.elasticsearch.ResourceAlreadyExistsException;
import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.bulk.BulkRequestBuilder;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.get.GetResponse;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.indices.SystemIndexDescriptor;
import org.elasticsearch.search.SearchHit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cluster's model store: the system index {@value #INDEX} holds, per model, one manifest document per uploaded
 * version, that version's chunks, and a pointer to the version in service. Calls block: callers run on the generic
 * pool. They run in a stashed thread context, so that the plugin, not the REST caller, reads and writes its own
 * system index.
 */
public final class ModelStore {

    public static final String INDEX = ".elmo-models";
    private static final String TYPE = "type";
    private static final String MANIFEST = "manifest";
    private static final String CHUNK = "chunk";
    private static final String CURRENT = "current";
    /** Far more chunks and versions than a model's store holds (a 374 MB model is some 90 chunks of 4 MB). */
    private static final int MAX_DOCS = 10_000;
    /** An upload not committed for this long is taken for abandoned: the next commit of its model removes it. */
    static final long ABANDONED_AFTER_MILLIS = TimeUnit.DAYS.toMillis(1);
    private static final java.util.regex.Pattern UPLOAD_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Supplier<Client> client;
    private final ClusterService clusterService;
    private final ThreadContext threadContext;

    public ModelStore(Supplier<Client> client, ClusterService clusterService, ThreadContext threadContext) {
        this.client = client;
        this.clusterService = clusterService;
        this.threadContext = threadContext;
    }

    public static SystemIndexDescriptor descriptor() {
        return SystemIndexDescriptor.builder().setIndexPattern(INDEX + "*").setDescription("ELMo models stored in the cluster")
                .setType(SystemIndexDescriptor.Type.INTERNAL_UNMANAGED).build();
    }

    private static String manifestId(String modelId, String version) {
        return modelId + "/" + version;
    }

    private static String chunkId(ModelManifest manifest, String file, int chunk) {
        return manifest.modelId() + "/" + manifest.version() + "/" + file + "/" + chunk;
    }

    /** Records a new upload's manifest, creating the index on the first upload. */
    public void startUpload(ModelManifest manifest) {
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            createIndexIfAbsent();
            client.get().prepareIndex(INDEX).setId(manifestId(manifest.modelId(), manifest.version())).setOpType(DocWriteRequest.OpType.CREATE)
                    .setSource(withType(manifest.toSource(), MANIFEST)).setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();
        }
    }

    private void createIndexIfAbsent() {
        try {
            client.get().admin().indices().prepareCreate(INDEX).setSettings(Settings.builder().put("index.number_of_shards", 1)
                    .put("index.auto_expand_replicas", "0-1").put("index.hidden", true)).setMapping("""
                    {"dynamic": false, "properties": {
                      "type": {"type": "keyword"}, "model_id": {"type": "keyword"}, "version": {"type": "keyword"},
                      "data": {"type": "binary"}}}""").get();
        } catch (ResourceAlreadyExistsException e) {
            // Another upload made it first.
        }
    }

    /**
     * An upload's manifest.
     *
     * @throws ResourceNotFoundException (a 404) for an upload that was never started, or was replaced or deleted
     */
    public ModelManifest manifest(String modelId, String version) {
        if (version == null || !UPLOAD_ID.matcher(version).matches()) {
            throw new IllegalArgumentException("[upload_id] must be the id PUT _elmo/models/" + modelId + " answered with, got [" + version + "]");
        }
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            GetResponse get = indexExists() ? client.get().prepareGet(INDEX, manifestId(modelId, version)).get() : null;
            if (get == null || !get.isExists()) {
                throw new ResourceNotFoundException("[upload_id] [" + version + "]: no such upload of model [" + modelId
                        + "]; start one with PUT _elmo/models/" + modelId);
            }
            return ModelManifest.fromSource(get.getSourceAsMap());
        }
    }

    /**
     * Stores one chunk of a file of an upload in progress.
     *
     * @throws IllegalArgumentException (a 400) for a file the manifest does not name, a chunk number out of range, or a chunk
     *                                  whose length is not the one the manifest implies
     */
    public void putChunk(ModelManifest manifest, String file, int chunk, byte[] data) {
        if (manifest.committed()) {
            throw new IllegalArgumentException("upload [" + manifest.version() + "] of model [" + manifest.modelId()
                    + "] is committed already; start a new upload to change the model");
        }
        ModelManifest.ModelFile entry = manifest.file(file);
        int chunks = entry.chunks(manifest.chunkSize());
        if (chunk < 0 || chunk >= chunks) {
            throw new IllegalArgumentException("[chunk] of [" + file + "] must be between 0 and " + (chunks - 1) + ", got [" + chunk + "]");
        }
        int expected = entry.chunkLength(chunk, manifest.chunkSize());
        if (data.length != expected) {
            throw new IllegalArgumentException("[data] chunk [" + chunk + "] of [" + file + "] holds " + data.length + " bytes; with [chunk_size] ["
                    + manifest.chunkSize() + "] and [length] [" + entry.length() + "] it must hold " + expected);
        }
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            client.get().prepareIndex(INDEX).setId(chunkId(manifest, file, chunk)).setSource(Map.of(TYPE, CHUNK, "model_id",
                    manifest.modelId(), "version", manifest.version(), "data", data)).get();
        }
    }

    /**
     * Writes the files of {@code manifest} into {@code dir} from their chunks, checking every chunk's presence and
     * length and every file's SHA-256.
     *
     * @throws IllegalArgumentException naming the file and chunk that is missing or does not match
     */
    public void materialize(ModelManifest manifest, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            for (ModelManifest.ModelFile file : manifest.files()) {
                MessageDigest sha256 = sha256();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(dir.resolve(file.name())), sha256)) {
                    int chunks = file.chunks(manifest.chunkSize());
                    for (int chunk = 0; chunk < chunks; chunk++) {
                        GetResponse get = client.get().prepareGet(INDEX, chunkId(manifest, file.name(), chunk)).get();
                        if (!get.isExists()) {
                            throw new IllegalArgumentException("[" + file.name() + "] chunk [" + chunk + "] of " + chunks + " is missing");
                        }
                        byte[] data = bytes(get.getSource().get("data"));
                        if (data.length != file.chunkLength(chunk, manifest.chunkSize())) {
                            throw new IllegalArgumentException("[" + file.name() + "] chunk [" + chunk + "] holds " + data.length + " bytes, not "
                                    + file.chunkLength(chunk, manifest.chunkSize()));
                        }
                        out.write(data);
                    }
                }
                String actual = HexFormat.of().formatHex(sha256.digest());
                if (!actual.equals(file.sha256())) {
                    throw new IllegalArgumentException("[" + file.name() + "]: the uploaded bytes have sha256 [" + actual + "] but the manifest says ["
                            + file.sha256() + "]");
                }
            }
        }
    }

    /** A binary field's value: raw bytes from a binary source format, base64 from JSON. */
    private static byte[] bytes(Object value) {
        return value instanceof byte[] raw ? raw : Base64.getDecoder().decode((String) value);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Marks the upload committed and makes it the model's version in service, then drops the versions it replaced and
     * the uploads abandoned for {@link #ABANDONED_AFTER_MILLIS}. Another upload still in progress keeps its chunks, so
     * that of two racing uploads the later commit serves, and neither is refused for chunks the other's commit removed.
     */
    public void commit(ModelManifest manifest, long nowMillis) {
        ModelManifest committed = manifest.committedCopy();
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            client.get().prepareIndex(INDEX).setId(manifestId(manifest.modelId(), manifest.version()))
                    .setSource(withType(committed.toSource(), MANIFEST)).get();
            // The refresh also makes every earlier manifest and chunk visible to the searches below.
            client.get().prepareIndex(INDEX).setId(manifest.modelId()).setSource(withType(committed.toSource(), CURRENT))
                    .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();
            List<String> stale = new ArrayList<>();
            for (ModelManifest other : manifests(manifest.modelId())) {
                boolean inProgress = !other.committed() && nowMillis - other.createdMillis() < ABANDONED_AFTER_MILLIS;
                if (!other.version().equals(manifest.version()) && !inProgress) {
                    stale.add(other.version());
                }
            }
            if (!stale.isEmpty()) {
                deleteWhere(QueryBuilders.boolQuery().filter(QueryBuilders.termQuery("model_id", manifest.modelId()))
                        .filter(QueryBuilders.termsQuery("version", stale)).mustNot(QueryBuilders.termQuery(TYPE, CURRENT)), manifest.modelId());
            }
        }
    }

    /** Every upload's manifest of a model, committed or not, as searches see them (the caller refreshed). */
    private List<ModelManifest> manifests(String modelId) {
        SearchResponse response = client.get().prepareSearch(INDEX).setQuery(QueryBuilders.boolQuery()
                .filter(QueryBuilders.termQuery(TYPE, MANIFEST)).filter(QueryBuilders.termQuery("model_id", modelId))).setSize(MAX_DOCS).get();
        try {
            List<ModelManifest> manifests = new ArrayList<>();
            for (SearchHit hit : response.getHits().getHits()) {
                manifests.add(ModelManifest.fromSource(hit.getSourceAsMap()));
            }
            return manifests;
        } finally {
            response.decRef();
        }
    }

    /** The versions in service, by model id. */
    public Map<String, ModelManifest> current() {
        Map<String, ModelManifest> current = new java.util.TreeMap<>();
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            if (!indexExists()) {
                return current;
            }
            SearchResponse response = client.get().prepareSearch(INDEX).setQuery(QueryBuilders.termQuery(TYPE, CURRENT)).setSize(MAX_DOCS).get();
            try {
                for (SearchHit hit : response.getHits().getHits()) {
                    ModelManifest manifest = ModelManifest.fromSource(hit.getSourceAsMap());
                    current.put(manifest.modelId(), manifest);
                }
            } finally {
                response.decRef();
            }
        }
        return current;
    }

    /**
     * Removes a model's every version and upload.
     *
     * @throws ResourceNotFoundException (a 404) when the store has nothing under that id
     */
    public void delete(String modelId) {
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            if (indexExists()) {
                // Chunks are indexed without a refresh: make every one visible to the search that finds them.
                client.get().admin().indices().prepareRefresh(INDEX).get();
                if (deleteWhere(QueryBuilders.termQuery("model_id", modelId), modelId) > 0) {
                    return;
                }
            }
            throw new ResourceNotFoundException("[model_id] [" + modelId + "]: no such model in the cluster's model store");
        }
    }

    /** Deletes the documents {@code query} finds, as searches see them (the caller refreshed); returns how many went. */
    private int deleteWhere(QueryBuilder query, String modelId) {
        List<String> ids = new ArrayList<>();
        SearchResponse response = client.get().prepareSearch(INDEX).setQuery(query).setFetchSource(false).setSize(MAX_DOCS).get();
        try {
            for (SearchHit hit : response.getHits().getHits()) {
                ids.add(hit.getId());
            }
        } finally {
            response.decRef();
        }
        if (ids.isEmpty()) {
            return 0;
        }
        BulkRequestBuilder bulk = client.get().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
        for (String id : ids) {
            bulk.add(client.get().prepareDelete(INDEX, id));
        }
        BulkResponse deleted = bulk.get();
        if (deleted.hasFailures()) {
            throw new IllegalStateException("deleting model [" + modelId + "] from [" + INDEX + "]: " + deleted.buildFailureMessage());
        }
        return ids.size();
    }

    private boolean indexExists() {
        return clusterService.state().metadata().getProject().hasIndex(INDEX);
    }

    private static Map<String, Object> withType(Map<String, Object> source, String type) {
        source.put(TYPE, type);
        return source;
    }
}
