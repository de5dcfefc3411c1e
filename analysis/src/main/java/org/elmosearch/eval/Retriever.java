package org.elmosearch.eval;

import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Rescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.util.QueryBuilder;
import org.elmosearch.embed.ElmoEmbedder;
import org.elmosearch.lucene.ElmoTokenVectors;
import org.elmosearch.lucene.ElmoVectors;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.rank.RankFusion;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one query by one {@link Method} over an {@link EvalIndex}, the query's embedding included. Rescoring methods
 * order BM25's candidates by the ELMo score alone ({@link ScoreCombination#REPLACE}): that measures what the ELMo
 * score adds, with no weights tuned on the test queries, and leaves Recall@100 equal to BM25's.
 */
final class Retriever {

    /** Results per query: the first-pass depth for rescoring and for fusion, and the reach of Recall@100. */
    static final int DEPTH = 100;

    /**
     * One query's passage ids, best first, and the time spent in the second pass.
     *
     * @param rescoreNanos time of the rescorer alone (0 for methods without one)
     * @param rescoredHits how many first-pass hits it re-ranked
     */
    record Ranking(List<String> passageIds, long rescoreNanos, int rescoredHits) {
    }

    private final EvalIndex index;
    private final IndexSearcher searcher;
    private final QueryBuilder queryBuilder;
    private final ElmoVectors vectors;
    private final ElmoTokenVectors tokenVectors;

    /** @param embedder null when no method that needs the model will run */
    Retriever(EvalIndex index, ElmoEmbedder embedder) {
        this.index = index;
        this.searcher = index.searcher();
        this.queryBuilder = new QueryBuilder(index.analyzer());
        this.vectors = embedder == null ? null : new ElmoVectors(embedder);
        this.tokenVectors = embedder == null ? null : new ElmoTokenVectors(embedder);
    }

    Ranking search(Method method, String query) throws IOException {
        return switch (method) {
            case BM25 -> new Ranking(ids(bm25(query)), 0, 0);
            case KNN -> new Ranking(ids(knn(query)), 0, 0);
            case BM25_RESCORE -> rescore(bm25(query), vectors.rescorer(EvalIndex.VECTOR, query, ScoreCombination.REPLACE));
            case BM25_MAXSIM -> rescore(bm25(query), tokenVectors.rescorer(EvalIndex.TOKENS, query, ScoreCombination.REPLACE));
            case HYBRID -> new Ranking(RankFusion.reciprocalRank(List.of(ids(bm25(query)), ids(knn(query))), RankFusion.DEFAULT_K, DEPTH)
                    .stream().map(RankFusion.Scored::key).toList(), 0, 0);
        };
    }

    /** Any query term may match; a query with no term left after analysis (only stop words) matches nothing. */
    private TopDocs bm25(String query) throws IOException {
        Query parsed = queryBuilder.createBooleanQuery(EvalIndex.BODY, query);
        return parsed == null ? new TopDocs(new TotalHits(0, TotalHits.Relation.EQUAL_TO), new ScoreDoc[0]) : searcher.search(parsed, DEPTH);
    }

    private TopDocs knn(String query) throws IOException {
        return searcher.search(new KnnFloatVectorQuery(EvalIndex.VECTOR, vectors.vector(query), DEPTH), DEPTH);
    }

    private Ranking rescore(TopDocs firstPass, Rescorer rescorer) throws IOException {
        long start = System.nanoTime();
        TopDocs rescored = rescorer.rescore(searcher, firstPass, DEPTH);
        return new Ranking(ids(rescored), System.nanoTime() - start, firstPass.scoreDocs.length);
    }

    private List<String> ids(TopDocs hits) {
        return Arrays.stream(hits.scoreDocs).mapToInt(h -> h.doc).mapToObj(index::passageId).toList();
    }
}
