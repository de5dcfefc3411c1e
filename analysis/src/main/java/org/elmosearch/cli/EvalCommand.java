package org.elmosearch.cli;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.eval.BeirDataset;
import org.elmosearch.eval.EvalReport;
import org.elmosearch.eval.Evaluation;
import org.elmosearch.eval.Method;
import org.elmosearch.lucene.TokenVectorEncoding;

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
        return """
                --dataset holds corpus.jsonl (_id, title, text), queries.jsonl (_id, text) and qrels/test.tsv; the
                judged queries are run. The corpus is indexed in memory (title and text; English analysis for BM25).
                Methods: bm25; knn (nearest pooled vectors, k=100); bm25+rescore and bm25+maxsim (BM25's top 100
                reordered by the cosine of pooled vectors, or by MaxSim over token vectors, score_mode replace);
                hybrid (BM25 and knn fused by reciprocal rank, k=60). Every method but bm25 needs a model. Latency
                runs one query at a time, from text to ranking, query embedding included. Build time: the model over
                the corpus (methods with vectors) plus writing the index. With --json the last line is one JSON
                object keyed by method. Token vectors take 4 bytes per dimension per token: give Java memory to
                match (JAVA_OPTS=-Xmx...). Lucene computes vector similarities with SIMD, MaxSim about twice as
                fast, when Java runs with JAVA_OPTS='--add-modules jdk.incubator.vector' (Elasticsearch does).
                """;
    }

    @Override
    public List<Flag> flags() {
        return Stream.concat(
                Stream.of(Flag.value("--dataset", "DIR", "BEIR-layout folder (required)")),
                Stream.concat(ModelFlags.FLAGS.stream(), Stream.of(
                        Flag.value("--methods", "LIST", "comma-separated, of " + ALL_METHODS + " (default: all)"),
                        Flag.value("--limit", "N", "run only the first N judged queries (the whole corpus is indexed)"),
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
        BeirDataset dataset = BeirDataset.load(arguments.existingDirectory("--dataset")).withFirstQueries(limit);
        err.printf(Locale.ROOT, "loaded %,d passages and %,d judged queries%n", dataset.corpus().size(), dataset.queries().size());

        Evaluation.Results results;
        if (methods.stream().anyMatch(Method::needsModel)) {
            try (ElmoEncoder encoder = new ElmoEncoder(ModelFlags.load(arguments), threads)) {
                results = Evaluation.run(dataset, methods, new ElmoEmbedder(encoder), TokenVectorEncoding.FLOAT32, err::println);
            }
        } else {
            if (Stream.of("--options", "--weights", "--onnx").anyMatch(arguments::has)) {
                err.println("no method asked for needs the model: not loading it");
            }
            results = Evaluation.run(dataset, methods, null, TokenVectorEncoding.FLOAT32, err::println);
        }
        EvalReport.print(results, out);
        if (arguments.has("--json")) {
            out.println(EvalReport.json(results));
        }
        return ElmoCli.OK;
    }
}
