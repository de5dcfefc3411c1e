package org.elmosearch.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts tokenized text into sentences. A sentence ends after a {@code .}, {@code !}, {@code ?} or ellipsis token,
 * together with any closing quotes or brackets glued to it, and at every paragraph break (a blank line). Periods of
 * abbreviations never end one, since {@link TextTokenizer} keeps them inside the abbreviation's token
 * ({@code Mr.}, {@code U.S.}). An ellipsis followed by a lower-case word does not end one either.
 */
public final class SentenceSplitter {

    /**
     * A sentence: from the start of its first token to the end of its last, and its tokens (a view of the list
     * that was split).
     */
    public record Sentence(int startOffset, int endOffset, List<Token> tokens) {
    }

    private static final String TERMINALS = ".!?…。！？";

    private SentenceSplitter() {
    }

    /** The sentences of {@code text}, tokenized with {@link TextTokenizer#standard()}. */
    public static List<Sentence> split(String text) {
        return split(text, TextTokenizer.standard().tokenize(text));
    }

    /** The sentences of {@code text}, whose {@code tokens} the caller already has. */
    public static List<Sentence> split(String text, List<Token> tokens) {
        List<Sentence> sentences = new ArrayList<>();
        int first = 0;
        boolean terminated = false;
        for (int i = 1; i < tokens.size(); i++) {
            Token previous = tokens.get(i - 1);
            Token token = tokens.get(i);
            terminated |= isTerminal(previous) && !(isEllipsis(previous) && startsLowerCase(token));
            boolean gluedPunctuation = token.startOffset() == previous.endOffset() && !startsWord(token);
            if (isParagraphBreak(text, previous.endOffset(), token.startOffset())
                    || terminated && !gluedPunctuation && !isTerminal(token)) {
                sentences.add(sentence(tokens, first, i));
                first = i;
                terminated = false;
            }
        }
        if (first < tokens.size()) {
            sentences.add(sentence(tokens, first, tokens.size()));
        }
        return sentences;
    }

    private static Sentence sentence(List<Token> tokens, int from, int to) {
        return new Sentence(tokens.get(from).startOffset(), tokens.get(to - 1).endOffset(), tokens.subList(from, to));
    }

    private static boolean isTerminal(Token token) {
        return TERMINALS.indexOf(token.text().charAt(0)) >= 0;
    }

    private static boolean isEllipsis(Token token) {
        return token.text().startsWith("..") || token.text().equals("…");
    }

    private static boolean startsLowerCase(Token token) {
        return Character.isLowerCase(token.text().codePointAt(0));
    }

    private static boolean startsWord(Token token) {
        return Character.isLetterOrDigit(token.text().codePointAt(0));
    }

    /** Two line breaks between tokens mean a blank line (only whitespace lies between tokens). */
    private static boolean isParagraphBreak(String text, int from, int to) {
        int lineBreaks = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\u2029') {
                return true;
            }
            boolean crlf = c == '\r' && i + 1 < to && text.charAt(i + 1) == '\n';
            if ((c == '\n' || c == '\r' && !crlf || c == '\u2028' || c == '\u0085') && ++lineBreaks == 2) {
                return true;
            }
        }
        return false;
    }
}
