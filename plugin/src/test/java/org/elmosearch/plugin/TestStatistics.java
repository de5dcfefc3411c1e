package org.elmosearch.plugin;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.TokenStatisticsFitter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Token statistics for a test model, fitted by the core as {@code elmo fit} fits them. */
final class TestStatistics {

    private TestStatistics() {
    }

    /** Fits statistics on {@code texts} with the model of folder {@code dir}, every token sampled, and writes them there. */
    static TokenStatistics fitInto(Path dir, List<String> texts) throws IOException {
        ElmoModel model = ModelDirectory.load(dir, null).model();
        try (ElmoEncoder encoder = new ElmoEncoder(model, 1)) {
            TokenStatistics statistics = TokenStatisticsFitter.fit(new ElmoEmbedder(encoder), ScalarMix.average(model.options().outputLayers()),
                    texts::stream, Long.MAX_VALUE, 0, "test corpus", progress -> {});
            statistics.write(dir.resolve(TokenStatistics.FILE_NAME));
            return statistics;
        }
    }
}
