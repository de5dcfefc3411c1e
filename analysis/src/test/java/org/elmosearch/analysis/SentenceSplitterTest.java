package org.elmosearch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.elmosearch.analysis.SentenceSplitter.Sentence;
import org.junit.jupiter.api.Test;

class SentenceSplitterTest {

    private static List<String> sentences(String text) {
        return SentenceSplitter.split(text).stream()
                .map(sentence -> text.substring(sentence.startOffset(), sentence.endOffset()))
                .toList();
    }

    @Test
    void endsSentencesAtTerminalPunctuationButNotAtAbbreviations() {
        assertEquals(List.of("Mr. Smith went to Washington.", "He met U.S. officials!", "Did they agree?!", "Yes"),
                sentences("Mr. Smith went to Washington. He met U.S. officials! Did they agree?! Yes"));
    }

    @Test
    void keepsClosingQuotesAndBracketsWithTheirSentence() {
        assertEquals(List.of("He said \"stop.\"", "(Then he left.)", "Fine."),
                sentences("He said \"stop.\" (Then he left.) Fine."));
    }

    @Test
    void endsSentencesAtBlankLinesOnly() {
        assertEquals(List.of("Chapter One", "It was a dark\nand stormy night.", "The end"),
                sentences("Chapter One\r\n\r\nIt was a dark\nand stormy night.\n \nThe end"));
    }

    @Test
    void continuesAfterAnEllipsisBeforeALowerCaseWord() {
        assertEquals(List.of("Well... maybe not.", "Later…", "Done"), sentences("Well... maybe not. Later… Done"));
    }

    @Test
    void givesEachSentenceItsTokens() {
        List<Sentence> sentences = SentenceSplitter.split("Don't! Go.");
        assertEquals(List.of(List.of("Don", "'t", "!"), List.of("Go", ".")), sentences.stream()
                .map(sentence -> sentence.tokens().stream().map(Token::text).toList())
                .toList());
        assertEquals(new Sentence(7, 10, sentences.get(1).tokens()), sentences.get(1));
    }

    @Test
    void findsNoSentenceInBlankText() {
        assertEquals(List.of(), SentenceSplitter.split(""));
        assertEquals(List.of(), SentenceSplitter.split(" \n\n "));
    }
}
