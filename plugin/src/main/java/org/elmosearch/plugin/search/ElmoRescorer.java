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
 * Re-ranks a shard's window with a Lucene rescorer from analysis (shared with plain Lucene) that merges each hit's
 * first-pass score with its ELMo score: by the request's {@link ScoreCombination}, hits past the window then keeping
 * {@code query_weight} times their score as with Elasticsearch's {@code query} rescorer; or by a {@code
 * FusionRescorer}, whose normalized scores are on another scale than the first pass's, so hits past the window keep
 * their first-pass order below the window.
 */
public final class ElmoRescorer implements Rescorer {

    public static final ElmoRescorer INSTANCE = new ElmoRescorer();

    /** A shard's rescore parameters: the Lucene rescorer of the window and how scores combine. */
    public static final class Context extends RescoreContext {
        final org.apache.lucene.search.Rescorer window;
        final ScoreCombination combination;
        final String description;

        /**
         * @param combination how the window's scores combine, or null where {@code window} fuses normalized scores
         * @param description what the ELMo score is, for explanations
         */
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
        ScoreDoc[] all = topDocs.scoreDocs;
        System.arraycopy(rescored.scoreDocs, 0, all, 0, rescored.scoreDocs.length);
        int windowEnd = rescored.scoreDocs.length;
        if (all.length > windowEnd) {
            if (context.combination != null) {
                // Weighted like unmatched hits, then sorted with the window, as the query rescorer does.
                for (int i = windowEnd; i < all.length; i++) {
                    all[i].score = context.combination.firstPassOnly(all[i].score);
                }
                Arrays.sort(all, SCORE_DOC_COMPARATOR);
            } else {
                // Already in first-pass order: each one point below the one before, starting below the window's lowest.
                for (int i = windowEnd; i < all.length; i++) {
                    all[i].score = all[i - 1].score - 1;
                }
            }
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
            if (context.combination == null) {
                return Explanation.match(sourceExplanation.getValue(), "past the rescored window: ranked below it in first-pass order",
                        sourceExplanation);
            }
            float weight = context.combination.queryWeight();
            return Explanation.match(context.combination.firstPassOnly(sourceExplanation.getValue().floatValue()), "product of:",
                    sourceExplanation, Explanation.match(weight, "primaryWeight"));
        }
        Explanation rescored = context.window.explain(searcher, sourceExplanation, topLevelDocId);
        // A fusing rescorer says itself how it fused, and that the fused score depends on the rest of the window.
        String scoring = context.combination == null ? rescored.getDescription() : context.combination.toString();
        return Explanation.match(rescored.getValue(), "elmo rescore by " + context.description + ", " + scoring, rescored.getDetails());
    }
}
