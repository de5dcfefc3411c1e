package org.elmosearch.ingest;

import org.elasticsearch.test.ESTestCase;
import org.elmosearch.analysis.TextTokenizer;
import org.elmosearch.analysis.Token;

import java.util.List;

public class PassagesTests extends ESTestCase {

    private static List<Passages.Passage> split(String text, int max, int overlap) {
        return Passages.split(text, TextTokenizer.standard().tokenize(text), max, overlap);
    }

    public void testWindowsEndAtSentenceEnds() {
        String text = "One two three. Four five six. Seven eight nine.";
        List<Passages.Passage> passages = split(text, 8, 0);
        assertEquals(List.of("One two three. Four five six.", "Seven eight nine."), passages.stream().map(Passages.Passage::text).toList());
        assertEquals(0, passages.get(0).offset());
        assertEquals(text.indexOf("Seven"), passages.get(1).offset());
    }

    public void testConsecutiveWindowsShareWholeSentencesWithinTheOverlap() {
        String text = "A b c. D e f. G h i. J k l.";
        List<String> passages = split(text, 8, 4).stream().map(Passages.Passage::text).toList();
        assertEquals(List.of("A b c. D e f.", "D e f. G h i.", "G h i. J k l."), passages);
    }

    public void testASentenceLongerThanAWindowIsCutInside() {
        String text = "a b c d e f g h i j";
        List<Passages.Passage> passages = split(text, 4, 1);
        assertEquals(List.of("a b c d", "d e f g", "g h i j"), passages.stream().map(Passages.Passage::text).toList());
        for (Passages.Passage p : passages) {
            assertEquals(p.text(), text.substring(p.offset(), p.offset() + p.text().length()));
        }
    }

    public void testEmptyTextHasNoPassages() {
        assertEquals(List.of(), split("   ", 8, 2));
    }

    public void testEveryTokenIsInSomePassage() {
        String text = randomAlphaOfLength(5) + ". " + String.join(" ", randomList(1, 200, () -> randomAlphaOfLengthBetween(1, 8)
                + (randomBoolean() ? "." : ""))) + ".";
        int max = between(2, 30);
        List<Passages.Passage> passages = split(text, max, between(0, max - 1));
        for (Passages.Passage p : passages) {
            assertTrue(p.tokens().size() <= max);
            assertEquals(p.offset(), p.tokens().get(0).startOffset());
        }
        for (Token token : TextTokenizer.standard().tokenize(text)) {
            assertTrue(token + " is in a passage", passages.stream()
                    .anyMatch(p -> p.offset() <= token.startOffset() && token.endOffset() <= p.offset() + p.text().length()));
        }
    }
}
