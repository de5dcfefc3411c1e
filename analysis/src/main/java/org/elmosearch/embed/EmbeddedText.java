package org.elmosearch.embed;

import org.elmosearch.analysis.Token;

import java.util.List;

/**
 * One text's embedding.
 *
 * @param tokens       the tokens that were embedded (after truncation), with offsets into the text
 * @param truncated    whether the text had more than {@code maxTokens} tokens
 * @param tokenVectors the mixed vector of each token, {@code [tokens][2P]}
 * @param vector       the pooled text vector, or null when the text has no tokens
 */
public record EmbeddedText(List<Token> tokens, boolean truncated, float[][] tokenVectors, float[] vector) {

    public EmbeddedText {
        tokens = List.copyOf(tokens);
    }

    public boolean isEmpty() {
        return tokens.isEmpty();
    }
}
