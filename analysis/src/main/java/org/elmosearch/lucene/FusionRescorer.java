package org.elmosearch.lucene;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Rescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.elmosearch.rank.ScoreFusion;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Re-ranks a first pass by fusing, within the window, each hit's first-pass score with its ELMo score (MaxSim, or
 * a cosine of pooled vectors) by a {@link ScoreFusion}: both lists are normalized over the window's hits, so the
 * result depends on the whole window, as with any score-normalizing fusion. The window is the first pass given.
 */
public final class FusionRescorer extends Rescorer {

    private final DoubleValuesSource elmoScore;
    private final ScoreFusion fusion;

    /**
     * @param elmoScore each hit's ELMo score: a {@link MaxSimValuesSource}, a vector similarity, or one built on them
     * @param fusion    how the two scores of each hit merge
     */
    public FusionRescorer(DoubleValuesSource elmoScore, ScoreFusion fusion) {
        this.elmoScore = Objects.requireNonNull(elmoScore, "elmoScore");
        this.fusion = Objects.requireNonNull(fusion, "fusion");
    }

    public ScoreFusion fusion() {
        return fusion;
    }

    @Override
    public TopDocs rescore(IndexSearcher searcher, TopDocs firstPass, int topN) throws IOException {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be >= 1, got " + topN);
        }
        ScoreDoc[] hits = firstPass.scoreDocs.clone();
        // Doc order lets one forward-only iterator per segment visit every hit.
        Arrays.sort(hits, Comparator.comparingInt(h -> h.doc));
        float[] first = new float[hits.length];
        float[] elmo = elmoScores(searcher, hits);
        for (int i = 0; i < hits.length; i++) {
            first[i] = hits[i].score;
        }
        float[] fused = fusion.fuse(first, elmo);
        ScoreDoc[] rescored = new ScoreDoc[hits.length];
        for (int i = 0; i < hits.length; i++) {
            rescored[i] = new ScoreDoc(hits[i].doc, fused[i], hits[i].shardIndex);
        }
        Arrays.sort(rescored, Comparator.<ScoreDoc>comparingDouble(h -> -h.score).thenComparingInt(h -> h.doc));
        return new TopDocs(firstPass.totalHits, Arrays.copyOf(rescored, Math.min(topN, rescored.length)));
    }

    /** The ELMo score of each hit, in doc order; NaN for a hit without one. */
    private float[] elmoScores(IndexSearcher searcher, ScoreDoc[] hitsByDoc) throws IOException {
        DoubleValuesSource source = elmoScore.rewrite(searcher);
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        float[] scores = new float[hitsByDoc.length];
        int i = 0;
        while (i < hitsByDoc.length) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(hitsByDoc[i].doc, leaves));
            int leafEnd = leaf.docBase + leaf.reader().maxDoc();
            DoubleValues values = source.getValues(leaf, null);
            for (; i < hitsByDoc.length && hitsByDoc[i].doc < leafEnd; i++) {
                scores[i] = values.advanceExact(hitsByDoc[i].doc - leaf.docBase) ? (float) values.doubleValue() : Float.NaN;
            }
        }
        return scores;
    }

    /**
     * The hit's two scores before fusion: its fused score depends on the rest of the window, which an explanation of
     * one document does not see.
     */
    @Override
    public Explanation explain(IndexSearcher searcher, Explanation firstPass, int docId) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docId, leaves));
        Explanation elmo = elmoScore.rewrite(searcher).explain(leaf, docId - leaf.docBase, firstPass);
        return Explanation.match(firstPass.getValue(), "fused within the rescored window (" + fusion
                + "); the normalized scores depend on the other hits of the window:", firstPass, elmo);
    }
}
