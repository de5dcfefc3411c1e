package org.elmosearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.SharedData;
import org.elmosearch.cli.ElmoCliTest.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.elmosearch.cli.ElmoCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code elmo eval} in-process: a tiny constructed BEIR set on a tiny random model, and BM25 on SQuAD. */
class EvalCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Eight passages; each query is one passage's exact text, so each method's right answer is known. */
    private static final List<String> PASSAGES = List.of(
            "The river bank was muddy after the rain.",
            "She deposited the cheque at the bank on Monday.",
            "Stock markets fell sharply on Tuesday.",
            "Fishing from the bank of a quiet river.",
            "The committee approved the budget for next year.",
            "A heron stood still in the shallow water.",
            "Interest rates rose for the third time this year.",
            "The old bridge was closed for repairs.");

    @TempDir
    static Path dir;
    private static Path options;
    private static Path weights;

    @BeforeAll
    static void writeDatasetAndModel() throws IOException {
        StringBuilder corpus = new StringBuilder();
        StringBuilder queries = new StringBuilder();
        StringBuilder qrels = new StringBuilder("query-id\tcorpus-id\tscore\n");
        for (int i = 0; i < PASSAGES.size(); i++) {
            corpus.append(JSON.writeValueAsString(java.util.Map.of("_id", "p" + i, "title", "", "text", PASSAGES.get(i)))).append('\n');
            queries.append(JSON.writeValueAsString(java.util.Map.of("_id", "q" + i, "text", PASSAGES.get(i)))).append('\n');
            qrels.append("q").append(i).append("\tp").append(i).append("\t1\n");
        }
        Path data = Files.createDirectories(dir.resolve("beir/qrels")).getParent();
        Files.writeString(data.resolve("corpus.jsonl"), corpus);
        Files.writeString(data.resolve("queries.jsonl"), queries);
        Files.writeString(data.resolve("qrels/test.tsv"), qrels);
        Result synth = run("synth", "--preset", "tiny", "--seed", "5", "--out", dir.resolve("tiny").toString());
        assertEquals(0, synth.code(), synth.err());
        options = dir.resolve("tiny/options.json");
        weights = dir.resolve("tiny/weights.hdf5");
    }

    private static JsonNode lastLineJson(Result result) throws IOException {
        String[] lines = result.out().strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    @Test
    void everyMethodFindsThePassageWhoseTextIsTheQuery() throws IOException {
        Result result = run("eval", "--dataset", dir.resolve("beir").toString(), "--options", options.toString(),
                "--weights", weights.toString(), "--threads", "1", "--json");
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("bm25+maxsim"), result.out());
        JsonNode figures = lastLineJson(result);
        assertEquals(List.of("bm25", "knn", "hybrid", "bm25+cosine", "bm25+maxsim", "bm25+cosine-fusion", "bm25+maxsim-fusion"),
                iterable(figures));
        // The query's own text has cosine 1 with its passage's pooled vector, and MaxSim = its token count, the
        // most any passage can score: every method ranks it first, even with random weights.
        for (String method : iterable(figures)) {
            JsonNode row = figures.get(method);
            assertEquals(8, row.get("queries").asInt(), method);
            assertEquals(1.0, row.get("ndcg_at_10").asDouble(), 1e-9, method);
            assertEquals(1.0, row.get("ndcg@10").asDouble(), 1e-9, method);
            assertEquals(1.0, row.get("mrr_at_10").asDouble(), 1e-9, method);
            assertEquals(1.0, row.get("recall_at_100").asDouble(), 1e-9, method);
            assertTrue(row.get("query_ms_median").asDouble() > 0 && row.get("query_ms_p99").asDouble() >= row.get("query_ms_median").asDouble(), method);
            assertTrue(row.get("build_s").asDouble() > 0, method);
        }
        assertTrue(figures.get("bm25+maxsim").has("rescore_ms_per_100_hits"));
        assertTrue(figures.get("bm25+cosine").has("rescore_ms_per_100_hits"));
        // Tiny's token vectors are 32 wide: 128 bytes per token as float32, plus the files' bookkeeping.
        assertTrue(figures.get("bm25+maxsim").get("token_vector_bytes_per_token").asDouble() >= 128);
        assertTrue(figures.get("bm25+maxsim").get("index_bytes").asLong() > figures.get("bm25+cosine").get("index_bytes").asLong());
    }

    @Test
    void aFittedModelFolderRanksWithItsStatisticsAndEveryMethodStillFindsThePassage() throws IOException {
        Path fitted = dir.resolve("tiny-fitted");
        Result fit = run("fit", "--model", dir.resolve("tiny").toString(), "--corpus", dir.resolve("beir/corpus.jsonl").toString(),
                "--out", fitted.toString(), "--threads", "1");
        assertEquals(0, fit.code(), fit.err());
        Result result = run("eval", "--dataset", dir.resolve("beir").toString(), "--model", fitted.toString(), "--threads", "1", "--json");
        assertEquals(0, result.code(), result.err());
        assertTrue(result.err().contains("transform whiten, idf on"), result.err());
        JsonNode figures = lastLineJson(result);
        for (String method : iterable(figures)) {
            assertEquals(1.0, figures.get(method).get("ndcg_at_10").asDouble(), 1e-9, method);
        }
        Result ablated = run("eval", "--dataset", dir.resolve("beir").toString(), "--model", fitted.toString(), "--methods",
                "bm25+maxsim-fusion", "--transform", "none", "--idf", "off", "--normalization", "minmax", "--elmo-weight", "0.3");
        assertEquals(0, ablated.code(), ablated.err());
        assertTrue(ablated.err().contains("transform none, idf off; fusion: normalization minmax, first-pass weight 0.7"), ablated.err());
    }

    @Test
    void splitsRunEveryOtherQueryAndOneRunReportsBothHalves() throws IOException {
        Result all = run("eval", "--dataset", dir.resolve("beir").toString(), "--methods", "bm25", "--limit", "7", "--json");
        assertEquals(0, all.code(), all.err());
        for (String split : List.of("even", "odd")) {
            Result result = run("eval", "--dataset", dir.resolve("beir").toString(), "--methods", "bm25", "--split", split, "--limit", "7", "--json");
            assertEquals(0, result.code(), result.err());
            JsonNode half = lastLineJson(result).get("bm25");
            assertEquals(split.equals("even") ? 4 : 3, half.get("queries").asInt(), split);
            assertEquals(half.get("ndcg_at_10").asDouble(), lastLineJson(all).get("bm25").get("ndcg_at_10_" + split + "_queries").asDouble(), 1e-12);
        }
    }

    @Test
    void flagsAreChecked() {
        String dataset = dir.resolve("beir").toString();
        Result unknown = run("eval", "--dataset", dataset, "--methods", "bm25,splade");
        assertEquals(ElmoCli.USAGE, unknown.code());
        assertTrue(unknown.err().contains("unknown method 'splade'"), unknown.err());
        Result noModel = run("eval", "--dataset", dataset, "--methods", "knn");
        assertEquals(ElmoCli.USAGE, noModel.code());
        assertTrue(noModel.err().contains("--onnx is required"), noModel.err());
        Result statisticsNeeded = run("eval", "--dataset", dataset, "--methods", "knn", "--options", options.toString(), "--weights",
                weights.toString(), "--transform", "whiten");
        assertEquals(ElmoCli.USAGE, statisticsNeeded.code());
        assertTrue(statisticsNeeded.err().contains("need the model's token statistics"), statisticsNeeded.err());
        Result badWeight = run("eval", "--dataset", dataset, "--methods", "bm25", "--elmo-weight", "1.5");
        assertEquals(ElmoCli.USAGE, badWeight.code());
        assertTrue(badWeight.err().contains("--elmo-weight must be a number from 0 to 1"), badWeight.err());
        Result noDataset = run("eval", "--dataset", dir.resolve("missing").toString(), "--methods", "bm25");
        assertEquals(ElmoCli.USAGE, noDataset.code());
        assertTrue(noDataset.err().contains("folder not found"), noDataset.err());
    }

    @Test
    void bm25OnSquadIsFarAboveChance() throws IOException {
        Path squad = SharedData.requireOrSkip("datasets/squad-v1.1-dev");
        Result result = run("eval", "--dataset", squad.toString(), "--limit", "200", "--methods", "bm25", "--json");
        assertEquals(0, result.code(), result.err());
        JsonNode bm25 = lastLineJson(result).get("bm25");
        assertEquals(200, bm25.get("queries").asInt());
        // Measured 0.9358 (MRR@10 0.9189, Recall@100 0.995); chance, one relevant passage among 2,067, is ~0.002.
        assertTrue(bm25.get("ndcg_at_10").asDouble() > 0.85, bm25.toString());
        assertTrue(bm25.get("recall_at_100").asDouble() > 0.95, bm25.toString());
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
