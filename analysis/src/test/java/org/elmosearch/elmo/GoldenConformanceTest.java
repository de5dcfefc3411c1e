package org.elmosearch.elmo;

import org.elmosearch.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.elmosearch.elmo.Hdf5Arrays.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every stage of the AllenNLP fixture model against the reference implementation's golden outputs. */
class GoldenConformanceTest {

    private static final float TOLERANCE = 1e-5f;
    private static Path golden;
    private static ElmoEncoder encoder;

    @BeforeAll
    static void load() throws Exception {
        golden = SharedData.requireOrSkip("elmo-fixtures/golden");
        Path model = SharedData.requireOrSkip("elmo-fixtures/allennlp");
        encoder = new ElmoEncoder(ElmoModel.fromBilm(model.resolve("options.json"), model.resolve("lm_weights.hdf5")), 1);
    }

    @AfterAll
    static void close() {
        if (encoder != null) {
            encoder.close();
        }
    }

    @Test
    void everyStageOfEverySentenceMatchesTheReference() {
        CharacterMapper mapper = new CharacterMapper(50);
        float worst = 0;
        for (int n = 0; n < 30; n++) {
            try (Hdf5Arrays ref = new Hdf5Arrays(golden.resolve(String.format("sent_%03d.hdf5", n)))) {
                List<String> tokens = List.of(ref.strings("tokens"));
                int[] ids = new int[(tokens.size() + 2) * 50];
                mapper.writeSentence(tokens, ids, 0);
                assertArrayEquals(ref.ints("char_ids"), ids, "char ids of sentence " + n);

                Map<String, float[]> out = encoder.run(List.of(tokens), null, Set.of(ElmoEncoder.CHAR_CNN, ElmoEncoder.HIGHWAY,
                        ElmoEncoder.TOKEN_EMBEDDING, ElmoEncoder.LAYERS, ElmoEncoder.FINAL_H, ElmoEncoder.FINAL_C));
                int layerSize = (tokens.size() + 2) * 32;
                float[] layers = out.get(ElmoEncoder.LAYERS);
                float[][] stages = {
                        check(ref, "cnn_concat", out.get(ElmoEncoder.CHAR_CNN), n),
                        check(ref, "highway_out", out.get(ElmoEncoder.HIGHWAY), n),
                        check(ref, "token_embedding", out.get(ElmoEncoder.TOKEN_EMBEDDING), n),
                        check(ref, "layer0", Arrays.copyOfRange(layers, 0, layerSize), n),
                        check(ref, "lstm1", Arrays.copyOfRange(layers, layerSize, 2 * layerSize), n),
                        check(ref, "lstm2", Arrays.copyOfRange(layers, 2 * layerSize, 3 * layerSize), n),
                        check(ref, "final_h", out.get(ElmoEncoder.FINAL_H), n),
                        check(ref, "final_c", out.get(ElmoEncoder.FINAL_C), n)};
                float[][] mix = ScalarMix.average(3).apply(encoder.encode(List.of(tokens)).layers().get(0));
                float[] flatMix = new float[mix.length * 32];
                for (int t = 0; t < mix.length; t++) {
                    System.arraycopy(mix[t], 0, flatMix, t * 32, 32);
                }
                worst = Math.max(worst, check(ref, "elmo_mix_default", flatMix, n)[0]);
                for (float[] s : stages) {
                    worst = Math.max(worst, s[0]);
                }
            }
        }
        System.out.printf("golden: 30 sentences, every stage, max abs error %.3g%n", worst);
    }

    private static float[] check(Hdf5Arrays ref, String name, float[] actual, int sentence) {
        float error = maxAbsDiff(ref.floats(name), actual);
        assertTrue(error <= TOLERANCE, name + " of sentence " + sentence + ": max abs error " + error);
        return new float[]{error};
    }

    @Test
    void aBatchOfAllSentencesMatchesTheReferenceAndPadsWithZeros() {
        try (Hdf5Arrays ref = new Hdf5Arrays(golden.resolve("batched_stateless.hdf5"))) {
            List<List<String>> sentences = new java.util.ArrayList<>();
            for (int n = 0; n < 30; n++) {
                try (Hdf5Arrays sentence = new Hdf5Arrays(golden.resolve(String.format("sent_%03d.hdf5", n)))) {
                    sentences.add(List.of(sentence.strings("tokens")));
                }
            }
            assertEquals(55, ElmoEncoder.rows(sentences));
            Map<String, float[]> out = encoder.run(sentences, null, Set.of(ElmoEncoder.LAYERS, ElmoEncoder.FINAL_H, ElmoEncoder.FINAL_C));
            float[] layers = out.get(ElmoEncoder.LAYERS);
            int size = 30 * 55 * 32;
            String[] names = {"layer0", "lstm1", "lstm2"};
            for (int k = 0; k < 3; k++) {
                float error = maxAbsDiff(ref.floats(names[k]), Arrays.copyOfRange(layers, k * size, (k + 1) * size));
                assertTrue(error <= TOLERANCE, names[k] + " of the batch: max abs error " + error);
            }
            assertTrue(maxAbsDiff(ref.floats("final_h"), byDirectionToConcat(out.get(ElmoEncoder.FINAL_H), 2, 30, 16)) <= TOLERANCE);
            assertTrue(maxAbsDiff(ref.floats("final_c"), byDirectionToConcat(out.get(ElmoEncoder.FINAL_C), 2, 30, 64)) <= TOLERANCE);
        }
    }

    @Test
    void aStatefulReplayInBatchesOfThreeMatchesTheReference() throws Exception {
        List<List<List<String>>> lists = Fixtures.sentenceLists(SharedData.requireOrSkip("elmo-fixtures/allennlp/sentences.json"));
        LstmState state = null;
        try (Hdf5Arrays ref = new Hdf5Arrays(golden.resolve("stateful_replay.hdf5"))) {
            for (int i = 0; i < 10; i++) {
                List<List<String>> batch = List.of(lists.get(0).get(i), lists.get(1).get(i), lists.get(2).get(i));
                state = state == null ? LstmState.zeros(encoder.options(), 3) : state;
                Map<String, float[]> out = encoder.run(batch, state, Set.of(ElmoEncoder.LAYERS, ElmoEncoder.FINAL_H, ElmoEncoder.FINAL_C));
                int rows = ElmoEncoder.rows(batch);
                int size = 3 * rows * 32;
                String[] names = {"layer0", "lstm1", "lstm2"};
                for (int k = 0; k < 3; k++) {
                    float error = maxAbsDiff(ref.floats("batch_" + i + "/" + names[k]), Arrays.copyOfRange(out.get(ElmoEncoder.LAYERS), k * size, (k + 1) * size));
                    assertTrue(error <= TOLERANCE, names[k] + " of batch " + i + ": max abs error " + error);
                }
                assertTrue(maxAbsDiff(ref.floats("batch_" + i + "/state_h_after"), byDirectionToConcat(out.get(ElmoEncoder.FINAL_H), 2, 3, 16)) <= TOLERANCE);
                state = encoder.encode(batch, state).finalState();
            }
        }
    }

    /** {@code [L][2][B][D]} as the reference's {@code [L][B][2D]} (forward half, then backward). */
    static float[] byDirectionToConcat(float[] x, int layers, int batch, int dim) {
        float[] out = new float[x.length];
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < 2; d++) {
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(x, ((l * 2 + d) * batch + b) * dim, out, ((l * batch + b) * 2 + d) * dim, dim);
                }
            }
        }
        return out;
    }
}
