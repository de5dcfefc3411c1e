package org.elmosearch.embed;

import org.elmosearch.analysis.Token;

import java.util.List;

/**
 * Every output layer of one text.
 *
 * @param tokens    the embedded tokens (after truncation)
 * @param truncated whether the text had more tokens than allowed
 * @param layers    {@code [L+1][tokens][2P]}
 */
public record TextLayers(List<Token> tokens, boolean truncated, float[][][] layers) {

    public TextLayers {
        tokens = List.copyOf(tokens);
    }
}
