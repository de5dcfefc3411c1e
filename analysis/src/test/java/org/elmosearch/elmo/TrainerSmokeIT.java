package org.elmosearch.elmo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.RepositoryFiles;
import org.elmosearch.embed.ElmoEmbedder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer ({@code src/trainer/}, PyTorch) end to end: trains a tiny biLM for well under a minute on the demo
 * corpus, checks that the loss dropped, and loads the exported bilm-tf {@code options.json} + {@code weights.hdf5}
 * with {@link ElmoModel#fromBilm}: the Java encoder must give the PyTorch forward pass's three layers within 1e-4.
 * Skipped, with a message, where {@code /usr/bin/python3} cannot import torch and h5py ({@code .ci/run} installs
 * them on Debian when it runs as root).
 */
class TrainerSmokeIT {

    private static final String PYTHON = "/usr/bin/python3";
    private static final float TOLERANCE = 1e-4f;

    private static Path root;

    @BeforeAll
    static void findTrainerAndPython() throws Exception {
        root = RepositoryFiles.rootOrSkip("src/trainer/elmo_train.py");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " not found: skipping the trainer smoke test");
        Process probe = new ProcessBuilder(PYTHON, "-c", "import torch, h5py").redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = probe.waitFor(120, TimeUnit.SECONDS) && probe.exitValue() == 0;
        Assumptions.assumeTrue(ok, PYTHON + " cannot import torch and h5py (apt-get install python3-torch python3-h5py"
                + " libopenblas0-pthread): skipping the trainer smoke test. " + out.strip());
    }

    private static void python(Path log, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(6, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(finished, "python " + String.join(" ", args) + " did not finish in 6 minutes:\n" + output);
        assertEquals(0, process.exitValue(), "python " + String.join(" ", args) + " failed:\n" + output);
    }

    @Test
    void trainsATinyModelThatTheJavaEncoderReproduces(@TempDir Path work) throws Exception {
        Path model = work.resolve("model");
        python(work.resolve("train.log"), "src/trainer/elmo_train.py",
                "--corpus", "src/demo/corpus.tsv", "--out", model.toString(),
                "--preset", "tiny", "--vocab-size", "1000", "--steps", "300", "--max-minutes", "1",
                "--batch-size", "16", "--unroll", "30", "--lr", "5e-3", "--warmup", "20",
                "--heldout-fraction", "0.1", "--log-every", "50", "--eval-every", "100", "--checkpoint-every", "1000",
                "--threads", "1", "--seed", "1");

        JsonNode history = new ObjectMapper().readTree(model.resolve("train.json").toFile()).get("history");
        double firstLoss = history.get(0).get("first_train_loss").asDouble();
        double firstPplForward = history.get(0).get("heldout_ppl_forward").asDouble();
        double firstPplBackward = history.get(0).get("heldout_ppl_backward").asDouble();
        JsonNode last = history.get(history.size() - 1);
        double lastLoss = Double.NaN;
        for (JsonNode h : history) {
            if (h.has("train_loss")) {
                lastLoss = h.get("train_loss").asDouble();
            }
        }
        assertTrue(lastLoss < firstLoss - 0.5, "training loss did not drop: first batch " + firstLoss + ", last " + lastLoss);
        assertTrue(last.get("heldout_ppl_forward").asDouble() < firstPplForward
                        && last.get("heldout_ppl_backward").asDouble() < firstPplBackward,
                "held-out perplexity did not drop: " + history.get(0) + " -> " + last);

        python(work.resolve("crosscheck.log"), "src/trainer/crosscheck.py", "--model", model.toString(),
                "--corpus", "src/demo/corpus.tsv", "--every", "5", "--n", "40", "--python-only");
        Path check = model.resolve("crosscheck");
        List<List<String>> sentences = new ArrayList<>();
        for (String line : Files.readAllLines(check.resolve("sentences.txt"), StandardCharsets.UTF_8)) {
            sentences.add(Arrays.asList(line.split(" ", -1)));
        }
        assertTrue(sentences.size() >= 20, "too few cross-check sentences: " + sentences.size());

        ElmoModel elmo = ElmoModel.fromBilm(model.resolve("options.json"), model.resolve("weights.hdf5"));
        float worst = 0;
        int tokens = 0;
        try (ElmoEncoder encoder = new ElmoEncoder(elmo, 1); Hdf5Arrays expected = new Hdf5Arrays(check.resolve("python.hdf5"))) {
            List<float[][][]> layers = new ElmoEmbedder(encoder).layersOfTokens(sentences);
            for (int s = 0; s < sentences.size(); s++) {
                String name = "sent_" + s;
                int[] shape = expected.shape(name);
                float[] want = expected.floats(name);
                float[][][] got = layers.get(s);
                assertEquals(3, got.length, name + ": layers");
                assertEquals(shape[1], got[0].length, name + ": tokens");
                int width = shape[2];
                for (int l = 0; l < 3; l++) {
                    for (int t = 0; t < shape[1]; t++) {
                        assertEquals(width, got[l][t].length, name + ": width");
                        for (int d = 0; d < width; d++) {
                            float e = Math.abs(got[l][t][d] - want[(l * shape[1] + t) * width + d]);
                            worst = Math.max(worst, Float.isNaN(e) ? Float.POSITIVE_INFINITY : e);
                        }
                    }
                }
                tokens += shape[1];
            }
        }
        System.out.println("TrainerSmokeIT: " + sentences.size() + " sentences, " + tokens + " tokens, loss " + firstLoss
                + " -> " + lastLoss + ", max abs error Java vs PyTorch " + worst);
        assertTrue(worst <= TOLERANCE, "Java and PyTorch layers differ by " + worst + " > " + TOLERANCE
                + " (files kept in " + check + File.separator + ")");
    }
}
