package org.elmosearch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.CharFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.TokenizerFactory;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.junit.jupiter.api.Test;

class ElmoTokenizerTest {

    /** What one pass over the stream produced: "term[start,end]+increment" per token, and end()'s offsets. */
    private record Consumed(List<String> tokens, int finalStart, int finalEnd) {
    }

    private static Consumed consume(Tokenizer tokenizer, Reader input) throws IOException {
        tokenizer.setReader(input);
        CharTermAttribute term = tokenizer.getAttribute(CharTermAttribute.class);
        OffsetAttribute offset = tokenizer.getAttribute(OffsetAttribute.class);
        PositionIncrementAttribute increment = tokenizer.getAttribute(PositionIncrementAttribute.class);
        List<String> tokens = new ArrayList<>();
        tokenizer.reset();
        while (tokenizer.incrementToken()) {
            tokens.add(term + "[" + offset.startOffset() + "," + offset.endOffset() + "]+"
                    + increment.getPositionIncrement());
        }
        tokenizer.end();
        Consumed consumed = new Consumed(tokens, offset.startOffset(), offset.endOffset());
        tokenizer.close();
        return consumed;
    }

    @Test
    void emitsTermsOffsetsAndIncrements() throws IOException {
        Consumed consumed = consume(new ElmoTokenizer(), new StringReader("Don't go, Mr. Fish.  "));
        assertEquals(List.of("Don[0,3]+1", "'t[3,5]+1", "go[6,8]+1", ",[8,9]+1", "Mr.[10,13]+1", "Fish[14,18]+1",
                ".[18,19]+1"), consumed.tokens());
        assertEquals(21, consumed.finalStart());
        assertEquals(21, consumed.finalEnd());
    }

    @Test
    void canBeReusedAfterClose() throws IOException {
        Tokenizer tokenizer = new ElmoTokenizer();
        consume(tokenizer, new StringReader("first document ."));
        Consumed second = consume(tokenizer, new StringReader("U.S. 6-3"));
        assertEquals(List.of("U.S.[0,4]+1", "6-3[5,8]+1"), second.tokens());
        assertEquals(8, second.finalEnd());
        assertEquals(List.of(), consume(tokenizer, new StringReader("")).tokens());
    }

    @Test
    void readsInputsLongerThanOneBuffer() throws IOException {
        String text = "word ".repeat(5000) + "end.";
        Consumed consumed = consume(new ElmoTokenizer(), new StringReader(text));
        assertEquals(5002, consumed.tokens().size());
        assertEquals(".[" + (text.length() - 1) + "," + text.length() + "]+1", consumed.tokens().get(5001));
    }

    @Test
    void correctsOffsetsThroughCharFilters() throws IOException {
        Consumed consumed = consume(new ElmoTokenizer(), new SkipPrefixCharFilter("<p>", "Hi there"));
        assertEquals(List.of("Hi[3,5]+1", "there[6,11]+1"), consumed.tokens());
        assertEquals(11, consumed.finalEnd());
    }

    @Test
    void isAvailableThroughTheAnalysisSpi() {
        assertTrue(TokenizerFactory.availableTokenizers().contains(ElmoTokenizerFactory.NAME));
        TokenizerFactory factory = TokenizerFactory.forName("elmo", new HashMap<>());
        assertInstanceOf(ElmoTokenizerFactory.class, factory);
        assertInstanceOf(ElmoTokenizer.class, factory.create());
    }

    @Test
    void rejectsUnknownParameters() {
        Map<String, String> args = new HashMap<>(Map.of("lowercase", "true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ElmoTokenizerFactory(args));
        assertTrue(e.getMessage().contains("Unknown parameters"), e.getMessage());
    }

    /** Drops a fixed prefix that the original text had, as an HTML-stripping char filter would. */
    private static final class SkipPrefixCharFilter extends CharFilter {
        private final int prefixLength;

        SkipPrefixCharFilter(String prefix, String rest) {
            super(new StringReader(rest));
            prefixLength = prefix.length();
        }

        @Override
        protected int correct(int currentOff) {
            return currentOff + prefixLength;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            return input.read(buffer, offset, length);
        }
    }
}
