package org.elmosearch.eval;

import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.eval.BeirDataset.Query;
import org.elmosearch.lucene.TokenVectorEncoding;
import org.elmosearch.rank.RankingVectors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Indexes a {@link BeirDataset} in memory and runs every query by each {@link Method}, one query at a time as a
 * user would send them, timing each from its text to its ranking.
 */
public final class Evaluation {

    /** Queries run untimed per method before timing starts, so that JIT compilation does not count as latency. */
    static final int WARM_UP_QUERIES = 20;

    /** The index that was built and each method's figures, in the order asked. */
    public record Results(EvalIndex.Summary index, List<MethodResult> methods) {
    }

    private Evaluation() {
    }

    /**
     * @param embedder      null when no method needs the model
     * @param ranking       how vectors are transformed, query tokens weighted and scores fused
     * @param tokenEncoding how token vectors are stored, for the MaxSim methods
     */
    public static Results run(BeirDataset dataset, List<Method> methods, ElmoEmbedder embedder, RankingVectors ranking,
                              TokenVectorEncoding tokenEncoding, Consumer<String> progress) throws IOException {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("no method to evaluate");
        }
        boolean pooled = methods.stream().anyMatch(Method::needsPooledVectors);
        boolean tokens = methods.stream().anyMatch(Method::needsTokenVectors);
        if (dataset.queries().isEmpty()) {
            throw new IllegalArgumentException("the dataset has no judged queries");
        }
        String vectors = pooled && tokens ? " with pooled and token vectors" : pooled ? " with pooled vectors" : tokens ? " with token vectors" : "";
        progress.accept(String.format("indexing %,d passages%s", dataset.corpus().size(), vectors));
        try (EvalIndex index = EvalIndex.build(dataset.corpus(), embedder, ranking, pooled, tokens, tokenEncoding, progress)) {
            Retriever retriever = new Retriever(index);
            List<MethodResult> results = new ArrayList<>();
            for (Method method : methods) {
                MethodResult result = evaluate(dataset, method, retriever, index.summary());
                progress.accept(String.format("%s: nDCG@10 %.4f over %,d queries", method.label(), result.ndcgAt10(), result.queries()));
                results.add(result);
            }
            return new Results(index.summary(), results);
        }
    }

    private static MethodResult evaluate(BeirDataset dataset, Method method, Retriever retriever, EvalIndex.Summary index) throws IOException {
        List<Query> queries = dataset.queries();
        for (Query query : queries.subList(0, Math.min(WARM_UP_QUERIES, queries.size()))) {
            retriever.search(method, query.text());
        }
        double ndcg = 0;
        // By position in the queries run: the halves that --split selects, reported from one run.
        double[] ndcgByHalf = new double[2];
        double mrr = 0;
        double recall = 0;
        double[] queryMs = new double[queries.size()];
        List<Double> rescoreMsPer100 = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            Query query = queries.get(i);
            long start = System.nanoTime();
            Retriever.Ranking ranking = retriever.search(method, query.text());
            queryMs[i] = (System.nanoTime() - start) / 1e6;
            if (ranking.rescoredHits() > 0) {
                rescoreMsPer100.add(ranking.rescoreNanos() / 1e6 * 100 / ranking.rescoredHits());
            }
            Map<String, Integer> grades = dataset.qrels().get(query.id());
            double queryNdcg = Metrics.ndcg(ranking.passageIds(), grades, 10);
            ndcg += queryNdcg;
            ndcgByHalf[i % 2] += queryNdcg;
            mrr += Metrics.reciprocalRank(ranking.passageIds(), grades, 10);
            recall += Metrics.recall(ranking.passageIds(), grades, Retriever.DEPTH);
        }
        int n = queries.size();
        double build = index.writeSeconds() + (method.needsModel() ? index.embedSeconds() : 0);
        long bytes = index.textBytes() + (method.needsPooledVectors() ? index.size().knnVectors() : 0)
                + (method.needsTokenVectors() ? index.size().docValues() : 0);
        double rescore = rescoreMsPer100.isEmpty() ? Double.NaN
                : percentile(rescoreMsPer100.stream().mapToDouble(Double::doubleValue).toArray(), 0.5);
        int odd = n / 2;
        return new MethodResult(method, n, ndcg / n, ndcgByHalf[0] / (n - odd), odd == 0 ? Double.NaN : ndcgByHalf[1] / odd, mrr / n,
                recall / n, percentile(queryMs, 0.5), percentile(queryMs, 0.99),
                rescore, build, bytes);
    }

    /** The nearest-rank percentile: the smallest value with at least {@code p} of the values at or below it. */
    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
