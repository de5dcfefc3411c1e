package org.elmosearch.plugin.search;

import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryRescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.Rescorer;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Re-ranks the window by combining each hit's first-pass score with its vector similarity to the query. Hits
 * without a vector keep their weighted first-pass score, as with the {@code query} rescorer.
 */
public final class ElmoRescorer implements Rescorer {

    public static final ElmoRescorer INSTANCE = new ElmoRescorer();

    /** How the first-pass score {@code q} and the similarity {@code s} (both weighted) combine. */
    public enum ScoreMode {
        TOTAL, MULTIPLY, AVG, MAX, MIN, REPLACE;

        float combine(float q, float s) {
            return switch (this) {
                case TOTAL -> q + s;
                case MULTIPLY -> q * s;
                case AVG -> (q + s) / 2;
                case MAX -> Math.max(q, s);
                case MIN -> Math.min(q, s);
                case REPLACE -> s;
            };
        }

        String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static ScoreMode parse(Object value) {
            for (ScoreMode mode : values()) {
                if (mode.jsonName().equals(value)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("[elmo] [score_mode] must be one of total, multiply, avg, max, min, replace; got [" + value + "]");
        }
    }

    /** A shard's rescore parameters: the similarity query and how to combine. */
    public static final class Context extends RescoreContext {
        final Query similarity;
        final float queryWeight;
        final float rescoreQueryWeight;
        final ScoreMode mode;

        Context(int windowSize, Query similarity, float queryWeight, float rescoreQueryWeight, ScoreMode mode) {
            super(windowSize, INSTANCE);
            this.similarity = similarity;
            this.queryWeight = queryWeight;
            this.rescoreQueryWeight = rescoreQueryWeight;
            this.mode = mode;
        }

        float combine(float firstPass, boolean hasVector, float similarityScore) {
            float q = firstPass * queryWeight;
            return hasVector ? mode.combine(q, similarityScore * rescoreQueryWeight) : q;
        }
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
        TopDocs rescored = new QueryRescorer(context.similarity) {
            @Override
            protected float combine(float firstPassScore, boolean secondPassMatches, float secondPassScore) {
                return context.combine(firstPassScore, secondPassMatches, secondPassScore);
            }
        }.rescore(searcher, window, window.scoreDocs.length);
        // Hits past the window keep their order below the window, weighted like unmatched hits.
        ScoreDoc[] all = topDocs.scoreDocs;
        System.arraycopy(rescored.scoreDocs, 0, all, 0, rescored.scoreDocs.length);
        if (all.length > rescored.scoreDocs.length) {
            for (int i = rescored.scoreDocs.length; i < all.length; i++) {
                all[i].score *= context.queryWeight;
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
        float first = sourceExplanation.getValue().floatValue();
        if (!context.isRescored(topLevelDocId)) {
            return Explanation.match(first * context.queryWeight, "product of:", sourceExplanation,
                    Explanation.match(context.queryWeight, "primaryWeight"));
        }
        Explanation similarity = searcher.explain(context.similarity, topLevelDocId);
        float score = context.combine(first, similarity.isMatch(), similarity.getValue().floatValue());
        return Explanation.match(score, "elmo rescore, score mode [" + context.mode.jsonName() + "]", sourceExplanation, similarity);
    }
}
