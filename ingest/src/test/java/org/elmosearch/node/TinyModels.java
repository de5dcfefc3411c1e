package org.elmosearch.node;

import org.elmosearch.elmo.SyntheticModel;

import java.io.IOException;
import java.nio.file.Path;

/** Tests make their own tiny random model; nothing is downloaded. */
public final class TinyModels {

    private TinyModels() {
    }

    /** Writes a tiny model (32 dims, 3 layers) as {@code <root>/<id>/options.json + weights.hdf5}. */
    public static Path write(Path root, String id) throws IOException {
        Path dir = root.resolve(id);
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 7), dir);
        return dir;
    }

    /** The loaded model, its lease closed at once: for tests that never reload it while they use it. */
    public static LoadedModel loaded(ElmoModelRegistry registry, String id) {
        try (ModelLease lease = registry.acquire(id)) {
            return lease.model();
        }
    }
}
