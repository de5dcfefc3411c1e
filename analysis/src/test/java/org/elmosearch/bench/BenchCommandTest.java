package org.elmosearch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.cli.ElmoCli;
import org.elmosearch.elmo.SyntheticModel;
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
    void theOriginalModelCostsAboutAHundredMillionMultiplyAddsPerToken() {
        long perToken = ModelCost.of(SyntheticModel.Preset.ORIGINAL.options()).perToken();
        assertTrue(perToken > 95_000_000L && perToken < 110_000_000L, Long.toString(perToken));
    }
}
