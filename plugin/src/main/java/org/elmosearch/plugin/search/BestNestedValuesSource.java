package org.elmosearch.plugin.search;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.util.BitSet;

import java.io.IOException;
import java.util.Objects;

/**
 * A top-level document's value as the best value of its nested documents, e.g. the MaxSim of its best passage when
 * the token vectors sit in a {@code nested} field. Elasticsearch writes a document's nested documents just before
 * it in the same segment, so they are the documents between the previous top-level one and it.
 */
final class BestNestedValuesSource extends DoubleValuesSource {

    private final DoubleValuesSource nested;
    private final BitSetProducer topLevel;

    BestNestedValuesSource(DoubleValuesSource nested, BitSetProducer topLevel) {
        this.nested = Objects.requireNonNull(nested);
        this.topLevel = Objects.requireNonNull(topLevel);
    }

    @Override
    public DoubleValues getValues(LeafReaderContext leaf, DoubleValues scores) throws IOException {
        BitSet parents = topLevel.getBitSet(leaf);
        if (parents == null) {
            return DoubleValues.EMPTY;
        }
        DoubleValues children = nested.getValues(leaf, null);
        return new DoubleValues() {
            private double best;

            @Override
            public double doubleValue() {
                return best;
            }

            @Override
            public boolean advanceExact(int doc) throws IOException {
                if (!parents.get(doc)) {
                    return false;
                }
                boolean found = false;
                best = Double.NEGATIVE_INFINITY;
                for (int child = doc == 0 ? 0 : parents.prevSetBit(doc - 1) + 1; child < doc; child++) {
                    if (children.advanceExact(child)) {
                        found = true;
                        best = Math.max(best, children.doubleValue());
                    }
                }
                return found;
            }
        };
    }

    @Override
    public Explanation explain(LeafReaderContext leaf, int doc, Explanation scoreExplanation) throws IOException {
        DoubleValues values = getValues(leaf, null);
        if (!values.advanceExact(doc)) {
            return Explanation.noMatch("no nested document with a value for " + nested);
        }
        return Explanation.match(values.doubleValue(), "the best of the nested documents' " + nested);
    }

    @Override
    public boolean needsScores() {
        return false;
    }

    @Override
    public DoubleValuesSource rewrite(IndexSearcher searcher) throws IOException {
        DoubleValuesSource rewritten = nested.rewrite(searcher);
        return rewritten == nested ? this : new BestNestedValuesSource(rewritten, topLevel);
    }

    @Override
    public boolean isCacheable(LeafReaderContext leaf) {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BestNestedValuesSource other && nested.equals(other.nested) && topLevel.equals(other.topLevel);
    }

    @Override
    public int hashCode() {
        return 31 * nested.hashCode() + topLevel.hashCode();
    }

    @Override
    public String toString() {
        return "best nested " + nested;
    }
}
