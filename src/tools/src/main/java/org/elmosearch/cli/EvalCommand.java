package org.elmosearch.cli;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.eval.BeirDataset;
import org.elmosearch.eval.EvalReport;
import org.elmosearch.eval.Evaluation;
import org.elmosearch.eval.Method;
import org.elmosearch.lucene.TokenVectorEncoding;
import org.elmosearch.rank.RankingOptions;
import org.elmosearch.rank.RankingVectors;
import org.elmosearch.rank.ScoreFusion;
import org.elmosearch.rank.ScoreNormalization;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.VectorTransform;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** {@code elmo eval}: retrieval quality and latency of BM25, ELMo vectors and their combinations on a BEIR set. */
final class EvalCommand implements Command {

    private static final String ALL_METHODS = String.join(",", Arrays.stream(Method.values()).map(Method::label).toList());

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "Measure nDCG@10, MRR@10, Recall@100 and query latency of retrieval methods on a BEIR-layout dataset.";
    }

    @Override
    public String details() {
        StringBuilder methods = new StringBuilder();
        for (Method method : Method.values()) {
            methods.append(String.format(Locale.ROOT, "  %-19s %s%n", method.label(), method.description()));
        }
        return """
                --dataset holds corpus.jsonl (_id, title, text), queries.jsonl (_id, text) and qrels/test.tsv; the
                judged queries are run. The corpus is indexed in memory (title and text; English analysis for BM25).
                Methods (all of them without --methods; every one but bm25 needs a model):
                """ + methods + """
                With a model folder that 'elmo fit' gave token statistics (--model DIR), vectors are taken from the
                fitted layer mix and transformed (--transform, default whiten), MaxSim weighs query tokens by IDF
                (--idf, default on), and the fusion methods normalize BM25 and the ELMo score within BM25's top
                100 (--normalization, default zscore) and add them (--elmo-weight, default 0.5, BM25 getting the
                rest). Without statistics vectors are only scaled to unit length and MaxSim is unweighted.
                --split even|odd runs every other judged query (after --limit): settings chosen on one half can be
                reported on the other; --json gives each half's nDCG@10 of a whole run too (ndcg_at_10_even_queries,
                ndcg_at_10_odd_queries). Latency runs one query at a time, from text to ranking, query embedding
                included. Build time: the model over the corpus (methods with vectors) plus writing the index.
                With --json the last line is one JSON object keyed by method. Token vectors take 4 bytes per
                dimension per token: give Java memory to match (JAVA_OPTS=-Xmx...). Lucene computes vector
                similarities with SIMD, MaxSim about twice as fast, when Java runs with
                JAVA_OPTS='--add-modules jdk.incubator.vector' (Elasticsearch does).
                """;
    }

    @Override
    public List<Flag> flags() {
        return Stream.concat(
                Stream.of(Flag.value("--dataset", "DIR", "BEIR-layout folder (required)")),
                Stream.concat(ModelFlags.FLAGS.stream(), Stream.of(
                        Flag.value("--methods", "LIST", "comma-separated, of " + ALL_METHODS + " (default: all)"),
                        Flag.value("--limit", "N", "run only the first N judged queries (the whole corpus is indexed)"),
                        Flag.value("--split", "HALF", "all (default), even or odd: every other judged query"),
                        Flag.value("--transform", "T", "with token statistics: whiten (default), center or none"),
                        Flag.value("--idf", "on|off", "with token statistics: weigh MaxSim's query tokens by IDF (default on)"),
                        Flag.value("--normalization", "N", "fusion methods: zscore (default), minmax or none"),
                        Flag.value("--elmo-weight", "W", "fusion methods: weight of the ELMo score, 0 to 1 (default "
                                + ScoreFusion.DEFAULT.elmoWeight() + "); BM25 gets 1 - W"),
                        Flag.value("--threads", "N", "ONNX Runtime threads (default 0: one per core)"),
                        Flag.toggle("--json", "end with one JSON object of the figures")))).toList();
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        List<Method> methods;
        try {
            methods = Method.parseList(arguments.optional("--methods").orElse(ALL_METHODS));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--methods: " + e.getMessage());
        }
        int limit = arguments.integer("--limit", Integer.MAX_VALUE, 1);
        int threads = arguments.integer("--threads", 0, 0);
        BeirDataset.QuerySplit split = parse("--split", arguments.optional("--split").orElse("all"), BeirDataset.QuerySplit::parse);
        RankingFlags rankingFlags = RankingFlags.parse(arguments);
        BeirDataset dataset = BeirDataset.load(arguments.existingDirectory("--dataset")).withFirstQueries(limit).withQuerySplit(split);
        err.printf(Locale.ROOT, "loaded %,d passages and %,d judged queries%n", dataset.corpus().size(), dataset.queries().size());

        Evaluation.Results results;
        if (methods.stream().anyMatch(Method::needsModel)) {
            ModelDirectory model = ModelFlags.load(arguments);
            RankingVectors ranking = new RankingVectors(model.statistics(), rankingFlags.options(model.statistics()));
            err.println(describe(model.statistics(), ranking.options()));
            try (ElmoEncoder encoder = new ElmoEncoder(model.model(), threads)) {
                results = Evaluation.run(dataset, methods, new ElmoEmbedder(encoder), ranking, TokenVectorEncoding.FLOAT32, err::println);
            }
        } else {
            if (ModelFlags.given(arguments)) {
                err.println("no method asked for needs the model: not loading it");
            }
            results = Evaluation.run(dataset, methods, null, RankingVectors.defaults(null), TokenVectorEncoding.FLOAT32, err::println);
        }
        EvalReport.print(results, out);
        if (arguments.has("--json")) {
            out.println(EvalReport.json(results, split == BeirDataset.QuerySplit.ALL));
        }
        return ElmoCli.OK;
    }

    /** The ranking flags given, checked before anything is loaded; null where a flag is absent. */
    private record RankingFlags(VectorTransform transform, Boolean idf, ScoreNormalization normalization, Float elmoWeight) {

        static RankingFlags parse(Arguments arguments) throws UsageException {
            VectorTransform transform = arguments.has("--transform")
                    ? EvalCommand.parse("--transform", arguments.required("--transform"), VectorTransform::parse) : null;
            Boolean idf = null;
            if (arguments.has("--idf")) {
                String value = arguments.required("--idf");
                if (!value.equals("on") && !value.equals("off")) {
                    throw new UsageException("--idf must be on or off, got '" + value + "'");
                }
                idf = value.equals("on");
            }
            ScoreNormalization normalization = arguments.has("--normalization")
                    ? EvalCommand.parse("--normalization", arguments.required("--normalization"), ScoreNormalization::parse) : null;
            Float elmoWeight = arguments.has("--elmo-weight") ? (float) arguments.number("--elmo-weight", 0, 0, 1) : null;
            return new RankingFlags(transform, idf, normalization, elmoWeight);
        }

        /** The defaults for a model with or without statistics, changed as the flags say. */
        RankingOptions options(TokenStatistics statistics) throws UsageException {
            RankingOptions options = statistics == null ? RankingOptions.WITHOUT_STATISTICS : RankingOptions.DEFAULT;
            if (transform != null) {
                options = options.withTransform(transform);
            }
            if (idf != null) {
                options = options.withIdfWeights(idf);
            }
            if (statistics == null && options.needsStatistics()) {
                throw new UsageException("--transform " + options.transform() + (options.idfWeights() ? " and --idf on" : "")
                        + " need the model's token statistics: give a --model folder that 'elmo fit' wrote");
            }
            ScoreFusion fusion = options.fusion();
            float weight = elmoWeight == null ? fusion.elmoWeight() : elmoWeight;
            return options.withFusion(new ScoreFusion(normalization == null ? fusion.normalization() : normalization, 1 - weight, weight));
        }
    }

    private static String describe(TokenStatistics statistics, RankingOptions options) {
        String fusion = "fusion: " + options.fusion();
        if (statistics == null) {
            return "no token statistics in the model (run 'elmo fit'): unit vectors, unweighted MaxSim; " + fusion;
        }
        return String.format(Locale.ROOT, "token statistics fitted on %s (%,d texts, %,d sampled tokens), layer mix %s; transform %s, idf %s; %s",
                statistics.source().corpus(), statistics.source().texts(), statistics.source().sampledTokens(),
                Arrays.toString(statistics.mix().weights()), options.transform(), options.idfWeights() ? "on" : "off", fusion);
    }

    private interface Parser<T> {
        T parse(String value);
    }

    private static <T> T parse(String flag, String value, Parser<T> parser) throws UsageException {
        try {
            return parser.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }
}
