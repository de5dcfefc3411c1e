package org.elmosearch.analysis;

/**
 * One token of {@link TextTokenizer}: its text and where it lies in the tokenized string, so that
 * {@code string.substring(startOffset, endOffset)} is {@code text}.
 */
public record Token(String text, int startOffset, int endOffset) {
}
