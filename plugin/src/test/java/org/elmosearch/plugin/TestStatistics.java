package org.elmosearch.plugin;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.embed.ModelDirectory;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.TokenStatisticsFitter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Token statistics fitted in tests as {@code elmo fit} fits them: every text counted and sampled. */
final class TestStatistics {

    private TestStatistics() {
    }

    /** Statistics of texts embedded with {@code options}: their layer mix becomes the statistics' mix. */
    static TokenStatistics fit(List<EmbeddedText> texts, EmbeddingOptions options, int dims, String corpus) {
        TokenStatisticsFitter fitter = new TokenStatisticsFitter(options.mix(), dims);
        for (EmbeddedText text : texts) {
            fitter.countText(text.tokens());
            fitter.addVectors(text.tokenVectors());
        }
        return fitter.fit(0.1, corpus);
    }

    /** Fits statistics on {@code texts} with the model of folder {@code dir}, its default options, and writes them there. */
    static TokenStatistics fitInto(Path dir, List<String> texts) throws IOException {
        ElmoModel model = ModelDirectory.load(dir, null).model();
        try (ElmoEncoder encoder = new ElmoEncoder(model, 1)) {
            EmbeddingOptions options = EmbeddingOptions.defaults(model.options());
            TokenStatistics statistics = fit(new ElmoEmbedder(encoder).embed(texts, options), options, model.options().outputDim(), "test corpus");
            statistics.write(dir.resolve(TokenStatistics.FILE_NAME));
            return statistics;
        }
    }
}
