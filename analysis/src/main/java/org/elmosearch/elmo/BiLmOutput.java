package org.elmosearch.elmo;

import java.util.List;

/**
 * What the biLM computes for a batch of sentences.
 *
 * @param layers     per sentence {@code [outputLayers][tokens][2P]}: layer 0 is the char-CNN token embedding
 *                   duplicated to both halves, then one layer per LSTM layer; sentence markers removed
 * @param finalState the LSTM state after the batch, to feed the next batch of a stateful run
 */
public record BiLmOutput(List<float[][][]> layers, LstmState finalState) {

    public BiLmOutput {
        layers = List.copyOf(layers);
    }
}
