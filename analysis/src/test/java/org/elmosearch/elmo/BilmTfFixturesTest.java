package org.elmosearch.elmo;

import org.elmosearch.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.elmosearch.elmo.Hdf5Arrays.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outputs the original TensorFlow bilm-tf stored with its test models, reproduced by replaying its runs: the
 * three sentence lists fed as batches of three (batch i = the i-th sentence of each list), the LSTM state carried
 * from one batch to the next as bilm-tf's stateful graph did.
 */
class BilmTfFixturesTest {

    private static final float TOLERANCE = 1e-5f;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "elmo-fixtures/allennlp, sentences.json",
            "elmo-fixtures/bilm-tf/model, lm_embeddings_sentences.json"})
    void aStatefulReplayReproducesTheTopLayer(String modelDir, String sentencesFile) throws Exception {
        Path dir = SharedData.requireOrSkip(modelDir);
        List<List<List<String>>> lists = Fixtures.sentenceLists(dir.resolve(sentencesFile));
        float worst = 0;
        try (ElmoEncoder encoder = new ElmoEncoder(ElmoModel.fromBilm(dir.resolve("options.json"), dir.resolve("lm_weights.hdf5")), 1)) {
            int top = encoder.options().lstmLayers();
            int p = encoder.options().projectionDim();
            LstmState state = LstmState.zeros(encoder.options(), lists.size());
            for (int i = 0; i < lists.get(0).size(); i++) {
                final int sentence = i;
                BiLmOutput out = encoder.encode(lists.stream().map(list -> list.get(sentence)).toList(), state);
                for (int k = 0; k < lists.size(); k++) {
                    try (Hdf5Arrays expected = new Hdf5Arrays(dir.resolve("lm_embeddings_" + k + ".hdf5"))) {
                        float[][] topLayer = out.layers().get(k)[top];
                        String name = String.valueOf(i);
                        assertArrayEquals(new int[]{2, topLayer.length, p}, expected.shape(name), "shape of " + k + "/" + name);
                        float error = maxAbsDiff(expected.floats(name), byDirection(topLayer, p));
                        assertTrue(error <= TOLERANCE, "lm_embeddings_" + k + "/" + name + ": max abs error " + error);
                        worst = Math.max(worst, error);
                    }
                }
                state = out.finalState();
            }
        }
        System.out.printf("bilm-tf %s: stateful replay, top layer, max abs error %.3g%n", modelDir, worst);
    }

    /** {@code [T][2P]} (forward half, then backward) as bilm-tf's {@code [2, T, P]}. */
    private static float[] byDirection(float[][] rows, int p) {
        float[] out = new float[2 * rows.length * p];
        for (int d = 0; d < 2; d++) {
            for (int t = 0; t < rows.length; t++) {
                System.arraycopy(rows[t], d * p, out, (d * rows.length + t) * p, p);
            }
        }
        return out;
    }

    /** bilm-tf's dump_token_embeddings: each vocabulary entry alone between the sentence markers, its own row kept. */
    @Test
    void theTokenEmbeddingOfEveryVocabularyEntryMatches() throws Exception {
        Path dir = SharedData.requireOrSkip("elmo-fixtures/allennlp");
        List<String> vocabulary = Files.readAllLines(dir.resolve("vocab_test.txt"));
        assertEquals(458, vocabulary.size());
        List<List<String>> oneTokenSentences = vocabulary.stream().map(List::of).toList();
        try (ElmoEncoder encoder = new ElmoEncoder(ElmoModel.fromBilm(dir.resolve("options.json"), dir.resolve("lm_weights.hdf5")), 1);
             Hdf5Arrays expected = new Hdf5Arrays(dir.resolve("elmo_token_embeddings.hdf5"))) {
            int p = encoder.options().projectionDim();
            assertArrayEquals(new int[]{vocabulary.size(), p}, expected.shape("embedding"));
            float[] rows = encoder.run(oneTokenSentences, null, Set.of(ElmoEncoder.TOKEN_EMBEDDING)).get(ElmoEncoder.TOKEN_EMBEDDING);
            float[] tokenRows = new float[vocabulary.size() * p];
            for (int i = 0; i < vocabulary.size(); i++) {
                // Three rows per sentence: <S>, the token, </S>.
                System.arraycopy(rows, (3 * i + 1) * p, tokenRows, i * p, p);
            }
            float error = maxAbsDiff(expected.floats("embedding"), tokenRows);
            assertTrue(error <= TOLERANCE, "token embeddings: max abs error " + error);
            System.out.printf("bilm-tf token embeddings: %d vocabulary entries, max abs error %.3g%n", vocabulary.size(), error);
        }
    }
}
