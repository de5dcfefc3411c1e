package org.elmosearch.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.RepositoryFiles;
import org.elmosearch.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's Python tokenizer ({@code src/trainer/elmo_text.py}) against the Java {@link TextTokenizer} the
 * encoder uses at run time: a model sees at run time the tokens it was trained on only where the two agree. Runs
 * the plain {@code /usr/bin/python3} (no torch needed) on the demo corpus and, where {@code ../shared} is present,
 * on Gutenberg paragraphs and SQuAD passages.
 */
class TrainerTokenizerAgreementIT {

    private static final String PYTHON = "/usr/bin/python3";
    /** Prints {"text": ..., "tokens": [...]} for each text the trainer reads from the given files (every N-th, at most M). */
    private static final String SCRIPT = """
            import json, sys
            sys.path.insert(0, "src/trainer")
            import elmo_text
            every, limit = int(sys.argv[1]), int(sys.argv[2])
            n = 0
            for k, path in enumerate(elmo_text.corpus_files(sys.argv[3:])):
                for i, text in enumerate(elmo_text.read_texts(path)):
                    if i % every == 0 and n < limit:
                        print(json.dumps({"text": text, "tokens": elmo_text.tokenize(text)}))
                        n += 1
            """;

    private static Path root;

    @BeforeAll
    static void findTrainerAndPython() {
        root = RepositoryFiles.rootOrSkip("src/trainer/elmo_text.py");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " not found: skipping the tokenizer agreement test");
    }

    @Test
    void theDemoCorpusIsTokenizedIdentically(@TempDir Path work) throws Exception {
        Agreement agreement = compare(work, 1, 10_000, root.resolve("src/demo/corpus.tsv"));
        System.err.println("trainer vs Java tokenizer, demo corpus: " + agreement);
        assertEquals(agreement.texts(), agreement.identicalTexts(), agreement.toString());
    }

    @Test
    void gutenbergParagraphsAndSquadPassagesAgreeOnAlmostEveryToken(@TempDir Path work) throws Exception {
        Path gutenberg = SharedData.requireOrSkip("corpora/gutenberg");
        Path squad = SharedData.requireOrSkip("datasets/squad-v1.1-dev/corpus.jsonl");
        Agreement books = compare(work, 50, 4_000, gutenberg);
        Agreement passages = compare(work, 1, 2_067, squad);
        System.err.println("trainer vs Java tokenizer, Gutenberg (every 50th paragraph): " + books);
        System.err.println("trainer vs Java tokenizer, SQuAD v1.1 dev passages: " + passages);
        assertTrue(books.tokenAgreement() >= 0.999, books.toString());
        assertTrue(passages.tokenAgreement() >= 0.999, passages.toString());
    }

    /**
     * @param tokenAgreement over all texts, the tokens both sides produced (as multisets, per text) over the longer
     *                       side's count
     */
    record Agreement(int texts, int identicalTexts, long pythonTokens, double tokenAgreement, List<String> examples) {
        @Override
        public String toString() {
            return String.format("%d texts, %d identical (%.2f %%), %d tokens, token agreement %.4f%s", texts, identicalTexts,
                    100.0 * identicalTexts / Math.max(1, texts), pythonTokens, tokenAgreement,
                    examples.isEmpty() ? "" : "; first differences: " + String.join(" | ", examples));
        }
    }

    private static Agreement compare(Path work, int every, int limit, Path... inputs) throws IOException, InterruptedException {
        Path out = work.resolve("tokens.jsonl");
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", SCRIPT, Integer.toString(every), Integer.toString(limit)));
        for (Path input : inputs) {
            command.add(input.toString());
        }
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(false)
                .redirectOutput(out.toFile()).redirectError(work.resolve("python.err").toFile()).start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "python tokenizer did not finish in 5 minutes");
        assertEquals(0, process.exitValue(), Files.readString(work.resolve("python.err")));

        ObjectMapper json = new ObjectMapper();
        int texts = 0;
        int identical = 0;
        long pythonTokens = 0;
        long shared = 0;
        long longer = 0;
        List<String> examples = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            JsonNode node = json.readTree(line);
            List<String> python = new ArrayList<>();
            node.get("tokens").forEach(t -> python.add(t.asText()));
            List<String> java = TextTokenizer.standard().tokenize(node.get("text").asText()).stream().map(Token::text).toList();
            texts++;
            pythonTokens += python.size();
            longer += Math.max(python.size(), java.size());
            shared += sharedCount(python, java);
            if (python.equals(java)) {
                identical++;
            } else if (examples.size() < 3) {
                examples.add(firstDifference(python, java));
            }
        }
        assertTrue(texts > 0, "the trainer read no texts from " + List.of(inputs));
        return new Agreement(texts, identical, pythonTokens, longer == 0 ? 1 : (double) shared / longer, examples);
    }

    private static long sharedCount(List<String> a, List<String> b) {
        Map<String, Integer> counts = new HashMap<>();
        a.forEach(t -> counts.merge(t, 1, Integer::sum));
        long shared = 0;
        for (String t : b) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                counts.put(t, c - 1);
                shared++;
            }
        }
        return shared;
    }

    private static String firstDifference(List<String> python, List<String> java) {
        int i = 0;
        while (i < python.size() && i < java.size() && python.get(i).equals(java.get(i))) {
            i++;
        }
        return "python " + python.subList(i, Math.min(python.size(), i + 4)) + " vs java " + java.subList(i, Math.min(java.size(), i + 4));
    }
}
