package org.elmosearch.eval;

import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Rescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.util.QueryBuilder;
import org.elmosearch.lucene.ElmoTokenVectors;
import org.elmosearch.lucene.ElmoVectors;
import org.elmosearch.lucene.ScoreCombination;
import org.elmosearch.rank.RankFusion;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one query by one {@link Method} over an {@link EvalIndex}, the query's embedding included, with the same
 * Lucene helpers a library user calls. {@code bm25+cosine} and {@code bm25+maxsim} order BM25's candidates by the
 * ELMo score alone ({@link ScoreCombination#REPLACE}), which measures what that score knows by itself; the fusion
 * methods merge it with BM25 by the ranking options' {@code ScoreFusion}. Every method that re-ranks leaves
 * Recall@100 equal to BM25's.
 */
public final class Retriever {

    /** Results per query: the first-pass depth for rescoring and for fusion, and the reach of Recall@100. */
    public static final int DEPTH = 100;

    /**
     * One query's passage ids, best first, and the time spent in the second pass.
     *
     * @param rescoreNanos time of the rescorer alone (0 for methods without one)
     * @param rescoredHits how many first-pass hits it re-ranked
     */
    public record Ranking(List<String> passageIds, long rescoreNanos, int rescoredHits) {
    }

    private final EvalIndex index;
    private final IndexSearcher searcher;
    private final QueryBuilder queryBuilder;
    private final ElmoVectors vectors;
    private final ElmoTokenVectors tokenVectors;

    /** Vectors come from the index's own helpers, so queries are embedded and transformed as its passages were. */
    public Retriever(EvalIndex index) {
        this.index = index;
        this.searcher = index.searcher();
        this.queryBuilder = new QueryBuilder(index.analyzer());
        this.vectors = index.vectors();
        this.tokenVectors = index.tokenVectors();
    }

    /** The query's ranking by the method; the index must hold the vectors the method needs. */
    public Ranking search(Method method, String query) throws IOException {
        if ((method.needsPooledVectors() && vectors == null) || (method.needsTokenVectors() && tokenVectors == null)) {
            throw new IllegalArgumentException(method.label() + " needs vectors the index was built without");
        }
        return switch (method) {
            case BM25 -> new Ranking(ids(bm25(query)), 0, 0);
            case KNN -> new Ranking(ids(knn(query)), 0, 0);
            case HYBRID -> new Ranking(RankFusion.reciprocalRank(List.of(ids(bm25(query)), ids(knn(query))), RankFusion.DEFAULT_K, DEPTH)
                    .stream().map(RankFusion.Scored::key).toList(), 0, 0);
            case BM25_COSINE -> rescore(bm25(query), vectors.rescorer(EvalIndex.VECTOR, query, ScoreCombination.REPLACE));
            case BM25_MAXSIM -> rescore(bm25(query), tokenVectors.rescorer(EvalIndex.TOKENS, query, ScoreCombination.REPLACE));
            case BM25_COSINE_FUSION -> rescore(bm25(query), vectors.rescorer(EvalIndex.VECTOR, query, index.ranking().options().fusion()));
            case BM25_MAXSIM_FUSION -> rescore(bm25(query), tokenVectors.rescorer(EvalIndex.TOKENS, query, index.ranking().options().fusion()));
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
