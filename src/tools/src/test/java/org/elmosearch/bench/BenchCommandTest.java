package org.elmosearch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.cli.ElmoCli;
import org.elmosearch.elmo.SyntheticModel;
import org.elmosearch.elmo.WeightPrecision;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    @Test
    void theJsonLineCarriesTheFiguresTheIssueAsksFor() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ElmoCli.run(new String[]{"bench", "--preset", "tiny", "--batch", "16", "--threads", "1", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(ElmoCli.OK, code);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        JsonNode json = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        for (String key : List.of("batch_tokens_per_s", "query_ms_median", "query_ms_p99", "achieved_gflops", "peak_gflops", "efficiency")) {
            assertTrue(json.path(key).asDouble() > 0, key + " in " + json);
        }
        assertEquals(json.path("achieved_gflops").asDouble() / json.path("peak_gflops").asDouble(), json.path("efficiency").asDouble(), 0.01);
        assertTrue(json.path("stage_ms").has("char_cnn") && json.path("stage_ms").has("lstm1") && json.path("stage_ms").has("mix_pool"), json.toString());
    }

    @Test
    void int8WeightsReportTheirErrorAgainstFloat32AndStageTimesOfTopLevelNodesOnly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ElmoCli.run(new String[]{"bench", "--preset", "tiny", "--batch", "16", "--threads", "1", "--precision", "int8", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(ElmoCli.OK, code);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        JsonNode json = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertEquals("int8", json.path("precision").asText());
        assertTrue(json.path("error_max_abs").asDouble() > 0, json.toString());
        assertTrue(json.path("cosine_min").asDouble() > 0.99 && json.path("cosine_mean").asDouble() <= 1.0, json.toString());
        List<String> stages = new java.util.ArrayList<>();
        json.path("stage_ms").fieldNames().forEachRemaining(stages::add);
        assertEquals(List.of("char_cnn", "gather_output", "highway_projection", "lstm0", "lstm1", "mix_pool"),
                stages.stream().sorted().toList(), "the Scan step's own nodes are inside its stage, not beside it");
    }

    @Test
    void theInt8QueryFloorReadsAQuarterOfTheBytes() {
        ModelCost cost = ModelCost.of(SyntheticModel.Preset.ORIGINAL.options());
        assertEquals(4 * cost.recurrentBytes(WeightPrecision.INT8), cost.recurrentBytes(WeightPrecision.FLOAT32));
        // 2 layers x 2 directions x (512 x 16384 recurrent kernel + 4096 x 512 projection)
        assertEquals(2L * 2 * (512 * 16384 + 4096 * 512), cost.recurrentBytes(WeightPrecision.INT8));
    }

    @Test
    void theOriginalModelCostsAboutAHundredMillionMultiplyAddsPerToken() {
        long perToken = ModelCost.of(SyntheticModel.Preset.ORIGINAL.options()).perToken();
        assertTrue(perToken > 95_000_000L && perToken < 110_000_000L, Long.toString(perToken));
    }
}
