package org.elmosearch.elmo;

import org.elmosearch.SharedData;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.elmosearch.elmo.Hdf5Arrays.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop-based reference must itself reproduce the golden outputs before it may judge unseen models. */
class ReferenceElmoTest {

    private static final float TOLERANCE = 1e-5f;

    @Test
    void everyStageOfEveryGoldenSentenceMatches() throws Exception {
        Path golden = SharedData.requireOrSkip("elmo-fixtures/golden");
        Path model = SharedData.requireOrSkip("elmo-fixtures/allennlp");
        ElmoOptions options = ElmoOptions.read(model.resolve("options.json"));
        ReferenceElmo reference = new ReferenceElmo(ElmoWeights.read(options, model.resolve("lm_weights.hdf5")));
        float worst = 0;
        for (int n = 0; n < 30; n++) {
            try (Hdf5Arrays expected = new Hdf5Arrays(golden.resolve(String.format("sent_%03d.hdf5", n)))) {
                ReferenceElmo.Output out = reference.forward(List.of(expected.strings("tokens")));
                String[] names = {"cnn_concat", "highway_out", "token_embedding", "layer0", "lstm1", "lstm2"};
                double[][][] stages = {out.charCnn(), out.highway(), out.tokenEmbedding(), out.layers()[0], out.layers()[1], out.layers()[2]};
                for (int s = 0; s < names.length; s++) {
                    float error = maxAbsDiff(expected.floats(names[s]), ReferenceElmo.flatten(stages[s]));
                    assertTrue(error <= TOLERANCE, names[s] + " of sentence " + n + ": max abs error " + error);
                    worst = Math.max(worst, error);
                }
            }
        }
        System.out.printf("reference vs golden: 30 sentences, every stage, max abs error %.3g%n", worst);
    }
}
