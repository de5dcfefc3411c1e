package org.elmosearch.plugin.search;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.join.QueryBitSetProducer;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.elasticsearch.test.ESTestCase;
import org.elmosearch.lucene.MaxSimValuesSource;
import org.elmosearch.lucene.TokenVectorEncoding;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A top-level document's MaxSim is its best nested passage's, over blocks of passages then their document. */
public class BestNestedValuesSourceTests extends ESTestCase {

    private static final float[][] QUERY = {{1, 0}, {0, 1}};

    private static Document passage(float[]... tokens) {
        Document passage = new Document();
        passage.add(TokenVectorEncoding.FLOAT32.field("passages.tokens", tokens));
        return passage;
    }

    private static Document topLevel() {
        Document doc = new Document();
        doc.add(new StringField("kind", "doc", Field.Store.NO));
        return doc;
    }

    public void testTheBestPassageScoresItsDocumentAndADocumentWithoutPassagesHasNoValue() throws IOException {
        try (Directory directory = new ByteBuffersDirectory()) {
            try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig())) {
                // doc 2: passages with MaxSim 1 and 2 -> 2
                writer.addDocuments(List.of(passage(new float[] {1, 0}), passage(new float[] {1, 0}, new float[] {0, 1}), topLevel()));
                // doc 3: no passages
                writer.addDocument(topLevel());
                // doc 5: one passage, MaxSim -1 + 0 = -1: a negative best counts
                writer.addDocuments(List.of(passage(new float[] {-1, 0}), topLevel()));
            }
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                assertEquals(1, reader.leaves().size());
                BestNestedValuesSource source = new BestNestedValuesSource(new MaxSimValuesSource("passages.tokens", QUERY),
                        new QueryBitSetProducer(new TermQuery(new Term("kind", "doc"))));
                List<Double> values = new ArrayList<>();
                for (int doc : new int[] {2, 3, 5}) {
                    DoubleValues perHit = source.getValues(reader.leaves().get(0), null);
                    values.add(perHit.advanceExact(doc) ? perHit.doubleValue() : Double.NaN);
                }
                assertEquals(List.of(2.0, Double.NaN, -1.0), values);
                assertFalse("a passage is not a top-level hit", source.getValues(reader.leaves().get(0), null).advanceExact(1));
            }
        }
    }
}
