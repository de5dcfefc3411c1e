package org.elmosearch.cli;

import org.elmosearch.analysis.Token;
import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.embed.EmbeddingOptions;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.embed.TextLayers;
import org.elmosearch.rank.RankingVectors;

import java.io.BufferedReader;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code elmo embed}: one JSON object per input line. The input is streamed in batches of {@code --batch} lines,
 * so a file of any length needs only one batch in memory.
 */
final class EmbedCommand implements Command {

    static final int DEFAULT_BATCH = 64;

    /** What each output line carries. */
    enum Output {
        LAYERS, MIX, POOLED, RANKING;

        static Output parse(String name) throws UsageException {
            return switch (name) {
                case "layers" -> LAYERS;
                case "mix" -> MIX;
                case "pooled" -> POOLED;
                case "ranking" -> RANKING;
                default -> throw new UsageException("--output must be layers, mix, pooled or ranking, got '" + name + "'");
            };
        }
    }

    @Override
    public String name() {
        return "embed";
    }

    @Override
    public String summary() {
        return "Embed each line of a text file; write one JSON object per line.";
    }

    @Override
    public String details() {
        return """
                Output, one JSON object per input line, in input order (D = 2 x projection_dim):
                  --output layers  {"tokens": [...], "layers": [[[...]]]}  every layer, (L+1) x T x D
                  --output mix     {"tokens": [...], "mix": [[...]]}       mixed token vectors, T x D
                  --output pooled  {"tokens": [...], "vector": [...]}      pooled text vector, D
                  --output ranking {"tokens": [...], "vectors": [[...]], "weights": [...], "vector": [...]}
                                   what search compares: unit token vectors and the pooled vector, both
                                   transformed by the model folder's token statistics (--model DIR after
                                   'elmo fit'; without them, the unit vectors of --mix), and each token's
                                   IDF weight in MaxSim (only with statistics)
                The <S> and </S> sentence markers are not in the output. Pooled vectors are not normalized
                unless --normalize is given. A line with more than --max-tokens tokens is cut to its first
                --max-tokens and its object gets "truncated": true.
                An empty line (or one with no tokens) gives "tokens": [] and "layers": [[], [], ...] (one empty
                list per layer), "mix": [], or "vector": null.
                With --pretokenized each single space separates two tokens, as Python's line.split(" "):
                two spaces in a row make an empty token; an empty line has no tokens. Otherwise the text is
                tokenized like ELMo's training data (Moses-style: "Don't stop." -> Don 't stop .).
                Input and output are UTF-8; --input /dev/stdin reads a pipe.
                """;
    }

    @Override
    public List<Flag> flags() {
        return Stream.concat(ModelFlags.FLAGS.stream(), Stream.of(
                Flag.value("--input", "FILE", "text, one input per line (required)"),
                Flag.toggle("--pretokenized", "lines are tokens separated by single spaces; no tokenizer"),
                Flag.value("--output", "KIND", "layers, mix, pooled or ranking (required)"),
                Flag.value("--out", "FILE", "where to write the JSON lines (default: stdout)"),
                Flag.value("--mix", "SPEC", "mix and pooled: average (default), top, or one weight per layer: 0.2,0.3,0.5"),
                Flag.value("--pooling", "KIND", "pooled: mean (default) or max"),
                Flag.toggle("--normalize", "pooled: scale each vector to unit length"),
                Flag.value("--max-tokens", "N", "cut longer lines to their first N tokens (default " + EmbeddingOptions.DEFAULT_MAX_TOKENS + ")"),
                Flag.value("--batch", "N", "lines read and embedded together (default " + DEFAULT_BATCH + ")"),
                Flag.value("--threads", "N", "ONNX Runtime threads (default 0: one per core)"))).toList();
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Output output = Output.parse(arguments.required("--output"));
        requireOnlyFor(arguments, "--mix", output != Output.LAYERS, "mix, pooled or ranking");
        requireOnlyFor(arguments, "--pooling", output == Output.POOLED, "pooled");
        requireOnlyFor(arguments, "--normalize", output == Output.POOLED, "pooled");
        Object mixSpec = mixSpec(arguments.optional("--mix").orElse("average"));
        Pooling pooling = pooling(arguments.optional("--pooling").orElse("mean"));
        int maxTokens = arguments.integer("--max-tokens", EmbeddingOptions.DEFAULT_MAX_TOKENS, 1);
        int batchSize = arguments.integer("--batch", DEFAULT_BATCH, 1);
        int threads = arguments.integer("--threads", 0, 0);
        boolean pretokenized = arguments.has("--pretokenized");
        Path input = arguments.existingFile("--input");
        Path target = arguments.has("--out") ? arguments.outputPath("--out") : null;
        if (target != null && Files.exists(target) && Files.isSameFile(input, target)) {
            throw new UsageException("--out is the --input file, which writing would erase: " + target);
        }

        ModelDirectory loaded = ModelFlags.load(arguments);
        ElmoModel model = loaded.model();
        RankingVectors ranking = RankingVectors.defaults(loaded.statistics());
        if (output == Output.RANKING && loaded.statistics() != null && arguments.has("--mix")) {
            throw new UsageException("--mix: --output ranking uses the layer mix the model's token statistics were fitted on");
        }
        ScalarMix mix;
        try {
            mix = ScalarMix.parse(mixSpec, model.options().outputLayers());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage());
        }
        if (output == Output.RANKING) {
            mix = ranking.mix(mix);
        }
        EmbeddingOptions options = new EmbeddingOptions(mix, pooling, arguments.has("--normalize"), maxTokens);

        long start = System.nanoTime();
        Totals totals;
        try (ElmoEncoder encoder = new ElmoEncoder(model, threads);
             BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             EmbeddingWriter writer = new EmbeddingWriter(open(target, out), target != null)) {
            Batcher batcher = new Batcher(new ElmoEmbedder(encoder), output, options, ranking, pretokenized, writer);
            totals = batcher.run(reader, batchSize, input);
        }
        err.printf(Locale.ROOT, "embedded %,d lines (%,d tokens) in %.1f s%s%n", totals.lines(), totals.tokens(),
                (System.nanoTime() - start) / 1e9,
                totals.truncated() == 0 ? "" : "; " + totals.truncated() + " cut to --max-tokens " + maxTokens);
        return ElmoCli.OK;
    }

    private static void requireOnlyFor(Arguments arguments, String flag, boolean applies, String outputs) throws UsageException {
        if (arguments.has(flag) && !applies) {
            throw new UsageException(flag + " only applies to --output " + outputs);
        }
    }

    /** "average", "top", or the list of weights, in the form {@link ScalarMix#parse} takes. */
    static Object mixSpec(String value) throws UsageException {
        if (value.equals("average") || value.equals("top")) {
            return value;
        }
        List<Float> weights = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            try {
                weights.add(Float.parseFloat(part.strip()));
            } catch (NumberFormatException e) {
                throw new UsageException("--mix must be average, top or comma-separated weights like 0.2,0.3,0.5, got '" + value + "'");
            }
        }
        return weights;
    }

    private static Pooling pooling(String value) throws UsageException {
        try {
            return Pooling.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage());
        }
    }

    private static OutputStream open(Path target, PrintStream stdout) throws IOException {
        if (target == null) {
            return new FilterOutputStream(stdout) {
                @Override
                public void write(byte[] bytes, int offset, int length) {
                    stdout.write(bytes, offset, length);
                }

                // PrintStream swallows write errors; without this check a closed pipe (| head) would not stop
                // the work until the whole input is embedded.
                @Override
                public void flush() throws IOException {
                    stdout.flush();
                    if (stdout.checkError()) {
                        throw new IOException("could not write to stdout (closed pipe or full disk)");
                    }
                }
            };
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return Files.newOutputStream(target);
    }

    /** Tokens of a pre-tokenized line: every single space separates two tokens; an empty line has none. */
    static List<Token> splitOnSpaces(String line) {
        if (line.isEmpty()) {
            return List.of();
        }
        List<Token> tokens = new ArrayList<>();
        int start = 0;
        for (int space = line.indexOf(' '); space >= 0; space = line.indexOf(' ', start)) {
            tokens.add(new Token(line.substring(start, space), start, space));
            start = space + 1;
        }
        tokens.add(new Token(line.substring(start), start, line.length()));
        return tokens;
    }

    private record Totals(long lines, long tokens, long truncated) {
    }

    /** Reads lines in batches, embeds each batch, writes it, and counts. */
    private static final class Batcher {

        private final ElmoEmbedder embedder;
        private final Output output;
        private final EmbeddingOptions options;
        private final RankingVectors ranking;
        private final boolean pretokenized;
        private final EmbeddingWriter writer;
        private long lines;
        private long tokens;
        private long truncated;

        Batcher(ElmoEmbedder embedder, Output output, EmbeddingOptions options, RankingVectors ranking, boolean pretokenized,
                EmbeddingWriter writer) {
            this.embedder = embedder;
            this.output = output;
            this.options = options;
            this.ranking = ranking;
            this.pretokenized = pretokenized;
            this.writer = writer;
        }

        Totals run(BufferedReader reader, int batchSize, Path input) throws IOException {
            List<String> batch = new ArrayList<>(batchSize);
            while (true) {
                String line;
                try {
                    line = reader.readLine();
                } catch (CharacterCodingException e) {
                    // The reader decodes ahead of the lines it returns, so the bad line's number is not known.
                    throw new IOException("--input " + input + " is not valid UTF-8 text; " + lines + " lines were written before the error", e);
                }
                if (line != null) {
                    batch.add(line);
                }
                if (batch.size() == batchSize || (line == null && !batch.isEmpty())) {
                    write(layers(batch));
                    lines += batch.size();
                    batch.clear();
                    writer.flush();
                }
                if (line == null) {
                    return new Totals(lines, tokens, truncated);
                }
            }
        }

        private List<TextLayers> layers(List<String> batch) {
            if (!pretokenized) {
                return embedder.layers(batch, options.maxTokens());
            }
            return embedder.layersOfTokenized(batch.stream().map(EmbedCommand::splitOnSpaces).toList(), options.maxTokens());
        }

        private void write(List<TextLayers> texts) throws IOException {
            for (TextLayers text : texts) {
                tokens += text.tokens().size();
                truncated += text.truncated() ? 1 : 0;
                switch (output) {
                    case LAYERS -> writer.layers(text.tokens(), text.truncated(), text.layers());
                    case MIX -> writer.mix(text.tokens(), text.truncated(), ElmoEmbedder.embed(text, options).tokenVectors());
                    case POOLED -> writer.pooled(text.tokens(), text.truncated(), ElmoEmbedder.embed(text, options).vector());
                    case RANKING -> {
                        float[][] mixed = ElmoEmbedder.embed(text, options).tokenVectors();
                        writer.ranking(text.tokens(), text.truncated(), ranking.tokenVectors(mixed), ranking.queryWeights(text.tokens()),
                                ranking.pooledVector(mixed));
                    }
                }
            }
        }
    }
}
