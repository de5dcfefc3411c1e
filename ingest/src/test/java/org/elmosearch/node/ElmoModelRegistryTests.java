package org.elmosearch.node;

import org.apache.lucene.tests.util.LuceneTestCase;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.test.ESTestCase;

import org.elasticsearch.common.Strings;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.TokenStatisticsFitter;

import java.lang.ref.WeakReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

// Lucene's ExtrasFS adds stray directories to temp dirs; they would be listed as (broken) models.
@LuceneTestCase.SuppressFileSystems("ExtrasFS")
public class ElmoModelRegistryTests extends ESTestCase {

    public void testLoadsAModelOnceAndSharesIt() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "tiny");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            assertEquals(ModelInfo.State.AVAILABLE, registry.describe().get(0).state());
            LoadedModel model = TinyModels.loaded(registry, "tiny");
            assertSame(model, TinyModels.loaded(registry, "tiny"));
            assertEquals(32, model.dims());
            ModelInfo info = registry.describe().get(0);
            assertEquals(new ModelInfo("tiny", ModelInfo.State.LOADED, 32, 3, model.parameterCount(), "float32", null, null, model.memory()), info);
            assertNull("no token statistics: plain vectors", model.statistics());
        }
    }

    public void testIdsThatLeaveTheModelsDirectoryAreRejected() {
        Path root = createTempDir();
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            for (String id : List.of("../etc", "..", "a/b", "/abs", "a\\b", ".hidden", "", "x/../../y")) {
                IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> registry.acquire(id));
                assertThat(e.getMessage(), containsString("[model_id]"));
            }
        }
    }

    public void testAnUnknownModelIsNotFoundAndTheKnownOnesAreListed() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "tiny");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            ResourceNotFoundException e = expectThrows(ResourceNotFoundException.class, () -> registry.acquire("other"));
            assertThat(e.getMessage(), containsString("[other]"));
            assertThat(e.getMessage(), containsString("[tiny]"));
        }
    }

    public void testABrokenModelReportsItsErrorAsAConflictAndOthersStillLoad() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "good");
        Files.createDirectories(root.resolve("empty"));
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            registry.loadAll();
            List<ModelInfo> infos = registry.describe();
            assertEquals("empty", infos.get(0).id());
            assertEquals(ModelInfo.State.FAILED, infos.get(0).state());
            assertThat(infos.get(0).error(), containsString("neither model.onnx nor options.json + weights.hdf5"));
            assertEquals(ModelInfo.State.LOADED, infos.get(1).state());
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("empty"));
            assertEquals("a retry cannot help until the model is fixed and reloaded", RestStatus.CONFLICT, e.status());
            assertThat(e.getMessage(), containsString("[model_id] [empty] failed to load: "));
            assertThat(e.getMessage(), containsString("neither model.onnx nor options.json + weights.hdf5"));
        }
    }

    private static final List<String> CORPUS = List.of("The sun is a star.", "The moon orbits the earth.", "Tides follow the moon.",
            "Rivers flow to the sea.", "Mountains are tall and cold.");

    public void testTokenStatisticsInTheModelFolderAreLoadedAndDescribed() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "fitted");
        TokenStatistics fitted = TinyModels.fitStatistics(dir, CORPUS);
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel model = TinyModels.loaded(registry, "fitted");
            assertEquals(fitted.mix(), model.statistics().mix());
            assertEquals(fitted.documentFrequency("moon"), model.statistics().documentFrequency("moon"));
            assertSame(model.statistics(), model.ranking().statistics());
            ModelInfo.StatisticsSummary summary = registry.describe().get(0).tokenStatistics();
            assertEquals(new ModelInfo.StatisticsSummary("test corpus", CORPUS.size(), fitted.source().sampledTokens(), List.of(0.2f, 0.3f, 0.5f)),
                    summary);
            ModelInfo info = registry.describe().get(0);
            assertEquals(info, copyWriteable(info, new org.elasticsearch.common.io.stream.NamedWriteableRegistry(List.of()), ModelInfo::new));
            assertThat(org.elasticsearch.common.Strings.toString(info), containsString("\"token_statistics\":{\"corpus\":\"test corpus\",\"documents\":5,"
                    + "\"sampled_tokens\":" + fitted.source().sampledTokens() + ",\"mix\":[0.2,0.3,0.5]}"));
        }
    }

    public void testStatisticsThatDoNotFitTheModelFailItNamingBothShapesAndOtherModelsStillServe() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "good");
        Path wrong = TinyModels.write(root, "wrong");
        // Fitted on 16-dimensional vectors: another model's statistics.
        TokenStatisticsFitter fitter = new TokenStatisticsFitter(TinyModels.STATISTICS_MIX, 16);
        fitter.countText(org.elmosearch.analysis.TextTokenizer.standard().tokenize("a b"));
        float[][] vectors = new float[40][16];
        for (float[] v : vectors) {
            for (int d = 0; d < v.length; d++) {
                v[d] = randomFloat();
            }
        }
        fitter.addVectors(vectors);
        fitter.fit(0.1, "other").write(wrong.resolve(TokenStatistics.FILE_NAME));
        Path damaged = TinyModels.write(root, "damaged");
        Files.writeString(damaged.resolve(TokenStatistics.FILE_NAME), "{\"format\": \"elmo-search token statis");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            registry.loadAll();
            List<ModelInfo> infos = registry.describe();
            assertEquals(List.of("damaged", "good", "wrong"), infos.stream().map(ModelInfo::id).toList());
            assertEquals(ModelInfo.State.FAILED, infos.get(0).state());
            assertThat(infos.get(0).error(), containsString(damaged.resolve(TokenStatistics.FILE_NAME).toString()));
            assertThat(infos.get(0).error(), containsString("damaged token statistics"));
            assertEquals(ModelInfo.State.FAILED, infos.get(2).state());
            assertThat(infos.get(2).error(), containsString("16-dimensional token vectors but the model makes 32-dimensional ones"));
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("wrong"));
            assertThat(e.getMessage(), containsString("[wrong] failed to load"));
            assertEquals(ModelInfo.State.LOADED, infos.get(1).state());
            try (ModelLease lease = registry.acquire("good")) {
                assertEquals(1, lease.model().encoder().encode(List.of(List.of("still", "serving"))).layers().size());
            }
        }
    }

    public void testSettingsFileSetsTheModelDefaults() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "tiny");
        Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"mix\": \"top\", \"pooling\": \"max\", \"max_tokens\": 64}");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            EmbeddingSpec defaults = TinyModels.loaded(registry, "tiny").defaults();
            assertEquals(new EmbeddingSpec("top", org.elmosearch.elmo.Pooling.MAX, true, 64), defaults);
        }
    }

    public void testSettingsFileWithUnknownKeysFailsTheModelNamingThem() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "tiny");
        Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"mix\": [1, 0], \"colour\": \"red\"}");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("tiny"));
            assertThat(e.getMessage(), containsString(
                    "[settings.json] unknown option [colour]; allowed: [mix, pooling, normalize, max_tokens, weight_precision]"));
        }
    }

    public void testSettingsFileCanAskForInt8LstmWeights() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "tiny");
        Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"weight_precision\": \"int8\", \"pooling\": \"max\"}");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel model = TinyModels.loaded(registry, "tiny");
            assertEquals(org.elmosearch.elmo.WeightPrecision.INT8, model.precision());
            assertEquals(org.elmosearch.elmo.Pooling.MAX, model.defaults().pooling());
            assertEquals("int8", registry.describe().get(0).weightPrecision());
        }
    }

    public void testAnUnknownWeightPrecisionFailsTheModelListingTheChoices() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "tiny");
        Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"weight_precision\": \"fp16\"}");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("tiny"));
            assertThat(e.getMessage(), containsString("settings.json: [weight_precision]: unknown weight precision [fp16], expected one of [float32, int8]"));
        }
    }

    public void testAnOnnxModelConvertedInAnotherPrecisionThanTheSettingsSayIsRefused() throws Exception {
        Path bilm = createTempDir();
        Path source = TinyModels.write(bilm, "tiny");
        Path root = createTempDir();
        Path dir = Files.createDirectories(root.resolve("tiny"));
        org.elmosearch.elmo.ElmoModel.fromBilm(source.resolve("options.json"), source.resolve("weights.hdf5"))
                .saveOnnx(dir.resolve(org.elmosearch.model.ModelDirectory.ONNX_FILE));
        Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"weight_precision\": \"int8\"}");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("tiny"));
            assertThat(e.getMessage(), containsString("was converted with [float32] weights"));
        }
    }

    public void testSettingsFileMixMustFitTheModelLayers() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "tiny");
        Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"mix\": [1, 0]}");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("tiny"));
            assertThat(e.getMessage(), containsString("3 layers"));
        }
    }

    public void testLoadsACompiledOnnxModel() throws Exception {
        Path bilm = createTempDir();
        Path dir = TinyModels.write(bilm, "tiny");
        Path root = createTempDir();
        org.elmosearch.elmo.ElmoModel.fromBilm(dir.resolve("options.json"), dir.resolve("weights.hdf5"))
                .saveOnnx(root.resolve("compiled").resolve(org.elmosearch.model.ModelDirectory.ONNX_FILE));
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            assertEquals(32, TinyModels.loaded(registry, "compiled").dims());
        }
    }

    public void testReloadPutsTheNewFilesInServiceAndClosesTheOldModelAfterItsLastLease() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "tiny");
        List<List<String>> sentence = List.of(List.of("river", "bank"));
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            ModelLease running = registry.acquire("tiny");
            assertEquals(org.elmosearch.elmo.WeightPrecision.FLOAT32, running.model().precision());
            Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"weight_precision\": \"int8\"}");

            ModelInfo info = registry.reload("tiny");
            assertEquals(ModelInfo.State.LOADED, info.state());
            assertEquals("int8", info.weightPrecision());
            try (ModelLease fresh = registry.acquire("tiny")) {
                assertEquals(org.elmosearch.elmo.WeightPrecision.INT8, fresh.model().precision());
            }
            // The run that held the old model finishes with it ...
            assertEquals(1, running.model().encoder().encode(sentence).layers().size());
            LoadedModel old = running.model();
            running.close();
            // ... and only then is it closed.
            expectThrows(IllegalStateException.class, () -> old.encoder().encode(sentence));
        }
    }

    public void testRunsGoOnWithoutErrorsWhileTheModelIsReloadedUnderThem() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "tiny");
        List<List<String>> sentence = List.of(List.of("the", "river", "bank", "was", "muddy"));
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean reloading = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Thread> workers = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                Thread worker = new Thread(() -> {
                    try {
                        while (reloading.get() || runs.get() < 40) {
                            try (ModelLease lease = registry.acquire("tiny")) {
                                assertEquals(1, lease.model().encoder().encode(sentence).layers().size());
                            }
                            runs.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                worker.start();
                workers.add(worker);
            }
            for (int r = 0; r < 5; r++) {
                assertEquals(ModelInfo.State.LOADED, registry.reload("tiny").state());
            }
            reloading.set(false);
            for (Thread worker : workers) {
                worker.join(60_000);
            }
            assertNull(failure.get() == null ? null : failure.get().toString(), failure.get());
            assertThat(runs.get(), org.hamcrest.Matchers.greaterThanOrEqualTo(40));
        }
    }

    public void testAReloadRetriesAModelThatFailedToLoad() throws Exception {
        Path root = createTempDir();
        Files.createDirectories(root.resolve("late"));
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("late"));
            assertEquals(ModelInfo.State.FAILED, registry.describe().get(0).state());
            TinyModels.write(root, "late");
            assertEquals(ModelInfo.State.LOADED, registry.reload("late").state());
            assertEquals(32, TinyModels.loaded(registry, "late").dims());
        }
    }

    public void testAReloadThatFailsKeepsTheLoadedModelInService() throws Exception {
        Path root = createTempDir();
        Path dir = TinyModels.write(root, "tiny");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel before = TinyModels.loaded(registry, "tiny");
            Files.writeString(dir.resolve(ElmoModelRegistry.SETTINGS_FILE), "{\"colour\": \"red\"}");
            IllegalStateException e = expectThrows(IllegalStateException.class, () -> registry.reload("tiny"));
            assertThat(e.getMessage(), containsString("failed to reload"));
            assertThat(e.getMessage(), containsString("[settings.json] unknown option [colour]"));
            assertThat(e.getMessage(), containsString("the model loaded before stays in service"));
            assertSame(before, TinyModels.loaded(registry, "tiny"));
            assertEquals(ModelInfo.State.LOADED, registry.describe().get(0).state());
        }
    }

    public void testReloadingAModelThatIsNotOnTheNodeIsNotFound() throws Exception {
        try (ElmoModelRegistry registry = new ElmoModelRegistry(createTempDir(), 1)) {
            expectThrows(ResourceNotFoundException.class, () -> registry.reload("nothing"));
            expectThrows(IllegalArgumentException.class, () -> registry.reload("../up"));
        }
    }

    public void testALoadedModelLetsItsSerializedGraphBeCollected() throws Exception {
        Path dir = TinyModels.write(createTempDir(), "tiny");
        ElmoModel model = ModelDirectory.load(dir, null).model();
        WeakReference<ElmoModel> graph = new WeakReference<>(model);
        try (LoadedModel loaded = LoadedModel.open("tiny", model, 1, EmbeddingSpec.DEFAULTS, null)) {
            model = null;
            assertBusy(() -> {
                System.gc();
                assertNull("the loaded model must not keep the serialized graph on the heap", graph.get());
            }, 10, TimeUnit.SECONDS);
            assertEquals(1, loaded.encoder().encode(List.of(List.of("still", "serving"))).layers().size());
        }
    }

    public void testALoadedModelShowsTheNativeMemoryOfItsSessionAndTheNodeTotal() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "tiny");
        long graphBytes = ModelDirectory.load(root.resolve("tiny"), null).model().serializedSize();
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            assertEquals(new ElmoStats.Memory(0, Long.MAX_VALUE), registry.memory());
            ModelMemory memory = TinyModels.loaded(registry, "tiny").memory();
            assertEquals("measured where /proc/self/status is", org.apache.lucene.util.Constants.LINUX, memory.measured());
            assertThat(memory.nativeBytes(), greaterThanOrEqualTo(graphBytes));
            ModelInfo info = registry.describe().get(0);
            assertEquals(memory, info.memory());
            assertEquals(info, copyWriteable(info, writableRegistry(), ModelInfo::new));
            assertEquals(new ElmoStats.Memory(memory.nativeBytes(), Long.MAX_VALUE), registry.memory());
        }
    }

    public void testTheTrialLoadOfAnUploadMustFitTheBudgetBesideTheModelsInServiceAndIsTooManyRequestsOtherwise() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "first");
        Path upload = TinyModels.write(createTempDir(), "upload");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            long first = TinyModels.loaded(registry, "first").memory().nativeBytes();
            registry.memoryBudget(2 * first + first / 2);
            registry.check("first", upload);
            registry.memoryBudget(first + 1);
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.check("first", upload));
            assertEquals("a retry helps once memory is freed", RestStatus.TOO_MANY_REQUESTS, e.status());
            assertThat(e.getMessage(), containsString("[model_id] [first]: no room on this node to try the upload: it needs about "));
            assertThat(e.getMessage(), containsString("the models in service on this node hold " + ByteSizeValue.ofBytes(first)));
            assertEquals("the trial holds nothing afterwards", new ElmoStats.Memory(first, first + 1), registry.memory());
        }
    }

    public void testALoadOverTheMemoryBudgetIsRefusedNamingTheModelItsSizeAndTheBudgetAndTheOthersKeepServing() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "first");
        TinyModels.write(root, "second");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            long first = TinyModels.loaded(registry, "first").memory().nativeBytes();
            registry.memoryBudget(first + 1);
            ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("second"));
            assertEquals(RestStatus.CONFLICT, e.status());
            assertThat(e.getMessage(), containsString("[model_id] [second] failed to load: refused: it needs about "));
            assertThat(e.getMessage(), containsString("the other models on this node hold " + ByteSizeValue.ofBytes(first) + " of the "
                    + ByteSizeValue.ofBytes(first + 1) + " that [elmo.models.max_memory] allows"));
            ModelInfo refused = registry.describe().get(1);
            assertEquals(ModelInfo.State.FAILED, refused.state());
            assertThat(refused.error(), containsString("refused: it needs about"));
            assertEquals("the refused load holds nothing", new ElmoStats.Memory(first, first + 1), registry.memory());
            try (ModelLease lease = registry.acquire("first")) {
                assertEquals(1, lease.model().encoder().encode(List.of(List.of("still", "serving"))).layers().size());
            }

            registry.memoryBudget(Long.MAX_VALUE);
            assertEquals(ModelInfo.State.LOADED, registry.reload("second").state());
        }
    }

    public void testAReloadCountsTheModelOnceAndOneOverTheBudgetKeepsTheModelLoadedBefore() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "tiny");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel before = TinyModels.loaded(registry, "tiny");
            registry.memoryBudget(before.memory().nativeBytes());
            assertEquals("the model it replaces is not counted", ModelInfo.State.LOADED, registry.reload("tiny").state());
            LoadedModel reloaded = TinyModels.loaded(registry, "tiny");

            registry.memoryBudget(1);
            IllegalStateException e = expectThrows(IllegalStateException.class, () -> registry.reload("tiny"));
            assertThat(e.getMessage(), containsString("[model_id] [tiny] failed to reload: refused: it needs about "));
            assertThat(e.getMessage(), containsString("the model loaded before stays in service"));
            assertSame(reloaded, TinyModels.loaded(registry, "tiny"));
        }
    }

    public void testAStoredModelServesFromItsFilesAndANewVersionReplacesItWhileRunsFinishOnTheOld() throws Exception {
        Path root = Files.createDirectories(createTempDir().resolve("config-models"));
        Path v1 = TinyModels.write(createTempDir(), "v1");
        Path v2 = Files.createDirectories(createTempDir().resolve("v2"));
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 99), v2);
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            assertFalse(registry.has("stored"));
            registry.fetching("stored", "version-1");
            ModelInfo fetching = registry.describe().get(0);
            assertEquals(ModelInfo.State.LOADING, fetching.state());
            assertEquals(ModelSource.cluster("version-1"), fetching.source());
            assertFalse("requests go to the nodes that serve it meanwhile", registry.has("stored"));
            ElasticsearchStatusException stillLoading = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("stored"));
            assertThat(stillLoading.getMessage(), containsString("still loading"));
            assertEquals("a retry helps once the load ends", RestStatus.SERVICE_UNAVAILABLE, stillLoading.status());
            ModelInfo first = registry.install("stored", "version-1", v1);
            assertEquals(ModelInfo.State.LOADED, first.state());
            assertEquals(ModelSource.cluster("version-1"), first.source());
            assertTrue(registry.has("stored"));
            assertEquals(Map.of("stored", "version-1"), registry.storedVersions());
            try (ModelLease old = registry.acquire("stored")) {
                registry.install("stored", "version-2", v2);
                try (ModelLease fresh = registry.acquire("stored")) {
                    assertNotSame(old.model(), fresh.model());
                }
                assertEquals("the run in progress still has its model", 1, old.model().encoder().encode(List.of(List.of("a"))).layers().size());
            }
            assertEquals(Map.of("stored", "version-2"), registry.storedVersions());
            assertThat(Strings.toString(registry.describe().get(0)), containsString("\"source\":\"cluster\",\"version\":\"version-2\""));
            assertTrue(registry.uninstall("stored"));
            assertFalse(registry.has("stored"));
            expectThrows(ResourceNotFoundException.class, () -> registry.acquire("stored"));
            assertEquals(Map.of(), registry.storedVersions());
        }
    }

    public void testAStoredVersionThatDoesNotLoadLeavesTheOneInServiceServing() throws Exception {
        Path root = Files.createDirectories(createTempDir().resolve("config-models"));
        Path good = TinyModels.write(createTempDir(), "good");
        Path broken = Files.createDirectories(createTempDir().resolve("broken"));
        Files.writeString(broken.resolve(ModelDirectory.OPTIONS_FILE), "{}");
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            IOException check = expectThrows(IOException.class, () -> registry.check("stored", broken));
            assertThat(check.getMessage(), containsString("weights.hdf5"));
            registry.install("stored", "good", good);
            IllegalStateException e = expectThrows(IllegalStateException.class, () -> registry.install("stored", "broken", broken));
            assertThat(e.getMessage(), containsString("the model loaded before stays in service"));
            assertEquals(Map.of("stored", "good"), registry.storedVersions());
            registry.installFailed("stored", "later", "chunk missing");
            assertEquals(ModelInfo.State.LOADED, registry.describe().get(0).state());
            assertEquals(ModelSource.cluster("good"), registry.describe().get(0).source());

            registry.installFailed("other", "v9", "[weights.hdf5] chunk [0] is missing");
            ModelInfo failed = registry.describe().get(0);
            assertEquals("other", failed.id());
            assertEquals(ModelInfo.State.FAILED, failed.state());
            assertEquals(ModelSource.cluster("v9"), failed.source());
            assertFalse("a failed version is fetched again at the next sync", registry.storedVersions().containsKey("other"));
            assertTrue("answered with its failure, as a config model that failed", registry.has("other"));
            ElasticsearchStatusException conflict = expectThrows(ElasticsearchStatusException.class, () -> registry.acquire("other"));
            assertEquals(RestStatus.CONFLICT, conflict.status());
            assertThat(conflict.getMessage(), containsString("[weights.hdf5] chunk [0] is missing"));
            assertTrue(registry.has("stored"));
        }
    }

    public void testAConfigModelWinsOverAStoredOneOfTheSameIdWhichIsReportedAsShadowed() throws Exception {
        Path root = createTempDir();
        TinyModels.write(root, "tiny");
        Path stored = Files.createDirectories(createTempDir().resolve("stored"));
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 99), stored);
        try (ElmoModelRegistry registry = new ElmoModelRegistry(root, 1)) {
            LoadedModel config = TinyModels.loaded(registry, "tiny");
            ModelInfo info = registry.install("tiny", "version-1", stored);
            assertEquals(new ModelSource(ModelSource.Kind.CONFIG, null, "version-1"), info.source());
            assertSame(config, TinyModels.loaded(registry, "tiny"));
            assertEquals("not fetched again", Map.of("tiny", "version-1"), registry.storedVersions());
            assertTrue(registry.shadowedByConfig("tiny", "version-2"));
            assertFalse(registry.shadowedByConfig("other", "version-2"));
            assertEquals(Map.of("tiny", "version-2"), registry.storedVersions());
            assertFalse("deleting the stored model leaves the config one", registry.uninstall("tiny"));
            assertSame(config, TinyModels.loaded(registry, "tiny"));
            assertEquals(ModelSource.CONFIG, registry.describe().get(0).source());
        }
    }
}
