package org.elmosearch.plugin.search;

import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryRescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.Rescorer;
import org.elmosearch.lucene.ScoreCombination;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Re-ranks a shard's window with a Lucene rescorer that merges each hit's first-pass score with its ELMo score by
 * the request's {@link ScoreCombination} (analysis' arithmetic, shared with plain Lucene); hits past the window keep
 * {@code query_weight} times their score, as with Elasticsearch's {@code query} rescorer.
 */
public final class ElmoRescorer implements Rescorer {

    public static final ElmoRescorer INSTANCE = new ElmoRescorer();

    /** A shard's rescore parameters: the Lucene rescorer of the window and how scores combine. */
    public static final class Context extends RescoreContext {
        final org.apache.lucene.search.Rescorer window;
        final ScoreCombination combination;
        final String description;

        /** @param description what the ELMo score is, for explanations */
        Context(int windowSize, org.apache.lucene.search.Rescorer window, ScoreCombination combination, String description) {
            super(windowSize, INSTANCE);
            this.window = window;
            this.combination = combination;
            this.description = description;
        }
    }

    /** Scores the window by a similarity query; a hit the query does not match keeps its weighted first-pass score. */
    static org.apache.lucene.search.Rescorer byQuery(Query similarity, ScoreCombination combination) {
        return new QueryRescorer(similarity) {
            @Override
            protected float combine(float firstPassScore, boolean secondPassMatches, float secondPassScore) {
                return secondPassMatches ? combination.combine(firstPassScore, secondPassScore) : combination.firstPassOnly(firstPassScore);
            }
        };
    }

    private ElmoRescorer() {
    }

    @Override
    public TopDocs rescore(TopDocs topDocs, IndexSearcher searcher, RescoreContext rescoreContext) throws IOException {
        Context context = (Context) rescoreContext;
        if (topDocs == null || topDocs.scoreDocs.length == 0) {
            return topDocs;
        }
        TopDocs window = Rescorer.topN(topDocs, context.getWindowSize());
        Set<Integer> ids = Arrays.stream(window.scoreDocs).map(d -> d.doc).collect(Collectors.toUnmodifiableSet());
        context.setRescoredDocs(ids);
        TopDocs rescored = context.window.rescore(searcher, window, window.scoreDocs.length);
        // Hits past the window keep their order below the window, weighted like unmatched hits.
        ScoreDoc[] all = topDocs.scoreDocs;
        System.arraycopy(rescored.scoreDocs, 0, all, 0, rescored.scoreDocs.length);
        if (all.length > rescored.scoreDocs.length) {
            for (int i = rescored.scoreDocs.length; i < all.length; i++) {
                all[i].score = context.combination.firstPassOnly(all[i].score);
            }
            Arrays.sort(all, SCORE_DOC_COMPARATOR);
        }
        return topDocs;
    }

    @Override
    public Explanation explain(int topLevelDocId, IndexSearcher searcher, RescoreContext rescoreContext, Explanation sourceExplanation)
            throws IOException {
        Context context = (Context) rescoreContext;
        if (sourceExplanation == null) {
            return Explanation.noMatch("no first-pass match");
        }
        if (!context.isRescored(topLevelDocId)) {
            float weight = context.combination.queryWeight();
            return Explanation.match(context.combination.firstPassOnly(sourceExplanation.getValue().floatValue()), "product of:",
                    sourceExplanation, Explanation.match(weight, "primaryWeight"));
        }
        Explanation rescored = context.window.explain(searcher, sourceExplanation, topLevelDocId);
        return Explanation.match(rescored.getValue(), "elmo rescore by " + context.description + ", " + context.combination,
                rescored.getDetails());
    }
}
