package org.elmosearch.cli;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.TokenStatisticsFitter;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code elmo fit}: adapts a model to a collection without labels, by fitting {@link TokenStatistics} on the
 * collection's text, and writes a model folder that every consumer loads with {@code --model}.
 */
final class FitCommand implements Command {

    static final long DEFAULT_SAMPLE_TOKENS = 200_000;

    @Override
    public String name() {
        return "fit";
    }

    @Override
    public String summary() {
        return "Fit a model's token statistics (mean, whitening, word frequencies) on a corpus; write a model folder.";
    }

    @Override
    public String details() {
        return """
                --corpus is a BEIR corpus.jsonl (title and text of each line), a text file (one text per
                line), or a folder of .txt files (each split into paragraphs at blank lines). Every text counts
                towards the word frequencies (IDF); about --sample-tokens token vectors from evenly spaced
                texts give the mean and the whitening matrix. --out gets the model's files and
                token-statistics.json (docs/ranking.md describes it); it may be the --model folder itself.
                Give --out to 'elmo embed|eval --model', to the Lucene helpers (ModelDirectory.load), or copy
                it to <es config>/elmo/<model_id>/.
                """;
    }

    @Override
    public List<Flag> flags() {
        return List.of(
                Flag.value("--model", "DIR", "the model folder: options.json + weights.hdf5 or model.onnx (required)"),
                Flag.value("--corpus", "PATH", "corpus.jsonl, a text file or a folder of .txt files (required)"),
                Flag.value("--out", "DIR", "the fitted model folder to write (required)"),
                Flag.value("--sample-tokens", "N", "token vectors to fit the mean and whitening on (default " + DEFAULT_SAMPLE_TOKENS + ")"),
                Flag.value("--mix", "SPEC", "layers the ranking vectors mix: average (default), top, or one weight per layer"),
                Flag.value("--shrinkage", "S", "share of the mean variance added to each before whitening (default 0)"),
                Flag.value("--threads", "N", "ONNX Runtime threads (default 0: one per core)"));
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Path modelDir = arguments.existingDirectory("--model");
        Path corpusPath = Path.of(arguments.required("--corpus"));
        Path outDir = arguments.outputPath("--out");
        int sampleTokens = arguments.integer("--sample-tokens", (int) DEFAULT_SAMPLE_TOKENS, 2);
        int threads = arguments.integer("--threads", 0, 0);
        double shrinkage = arguments.number("--shrinkage", 0, 0, Double.POSITIVE_INFINITY);
        CorpusTexts corpus = CorpusTexts.open(corpusPath);
        ElmoModel model = ModelDirectory.loadModel(modelDir, null);
        ScalarMix mix;
        try {
            mix = ScalarMix.parse(EmbedCommand.mixSpec(arguments.optional("--mix").orElse("average")), model.options().outputLayers());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage());
        }

        long start = System.nanoTime();
        TokenStatistics statistics;
        try (ElmoEncoder encoder = new ElmoEncoder(model, threads)) {
            statistics = TokenStatisticsFitter.fit(new ElmoEmbedder(encoder), mix, corpus, sampleTokens, shrinkage, corpusPath.toString(),
                    err::println);
        } catch (UncheckedIOException e) {
            throw unreadable(corpusPath, e.getCause());
        } catch (MalformedInputException e) {
            throw unreadable(corpusPath, e);
        }
        if (!Files.isDirectory(outDir) || !Files.isSameFile(outDir, modelDir)) {
            ModelDirectory.copyModelFiles(modelDir, outDir);
        }
        Path file = outDir.resolve(TokenStatistics.FILE_NAME);
        statistics.write(file);
        err.printf(Locale.ROOT, "fitted in %.1f s: %,d texts, %,d sampled tokens, %,d words with frequencies, layer mix %s%n",
                (System.nanoTime() - start) / 1e9, statistics.source().texts(), statistics.source().sampledTokens(),
                statistics.vocabularySize(), Arrays.toString(mix.weights()));
        out.println("wrote " + file + " (model files in " + outDir + ")");
        return ElmoCli.OK;
    }

    private static IOException unreadable(Path corpus, IOException cause) {
        String reason = cause instanceof MalformedInputException ? "not UTF-8 text" : cause.getMessage();
        return new IOException("corpus " + corpus + ": cannot be read: " + reason, cause);
    }
}
