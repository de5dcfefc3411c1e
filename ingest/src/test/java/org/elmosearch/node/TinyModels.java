package org.elmosearch.node;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.TokenStatisticsFitter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Tests make their own tiny random model; nothing is downloaded. */
public final class TinyModels {

    /** The layer mix {@link #fitStatistics} fits on: not the default average, so that tests see which mix was used. */
    public static final ScalarMix STATISTICS_MIX = new ScalarMix(new float[] {0.2f, 0.3f, 0.5f}, 1f);

    private TinyModels() {
    }

    /** Writes a tiny model (32 dims, 3 layers) as {@code <root>/<id>/options.json + weights.hdf5}. */
    public static Path write(Path root, String id) throws IOException {
        Path dir = root.resolve(id);
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 7), dir);
        return dir;
    }

    /**
     * Fits token statistics on {@code texts} with the model in {@code dir}, as {@code elmo fit} does, and writes
     * them into the folder.
     */
    public static TokenStatistics fitStatistics(Path dir, List<String> texts) throws IOException {
        ElmoModel model = ModelDirectory.load(dir, null).model();
        try (ElmoEncoder encoder = new ElmoEncoder(model, 1)) {
            TokenStatistics statistics = TokenStatisticsFitter.fit(new ElmoEmbedder(encoder), STATISTICS_MIX, texts::stream, Long.MAX_VALUE, 0.1,
                    "test corpus", progress -> {});
            statistics.write(dir.resolve(TokenStatistics.FILE_NAME));
            return statistics;
        }
    }

    /** The loaded model, its lease closed at once: for tests that never reload it while they use it. */
    public static LoadedModel loaded(ElmoModelRegistry registry, String id) {
        try (ModelLease lease = registry.acquire(id)) {
            return lease.model();
        }
    }
}
