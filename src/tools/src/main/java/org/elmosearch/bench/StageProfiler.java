package org.elmosearch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.GraphStages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Time per stage of the model (char CNN, highway and projection, each LSTM layer, gathering the outputs), from
 * ONNX Runtime's own per-node profile: graph nodes are named {@code stage/op_n}, and the kernel times of the
 * top-level nodes are summed by stage (a Scan's time includes its step graph).
 */
public final class StageProfiler {

    private static final java.util.regex.Pattern TOP_LEVEL_STAGE = java.util.regex.Pattern.compile(
            GraphStages.CHAR_CNN + "|" + GraphStages.HIGHWAY_PROJECTION + "|" + GraphStages.LSTM + "[0-9]+|"
                    + GraphStages.GATHER_OUTPUT);

    private StageProfiler() {
    }

    /** Milliseconds per stage for one {@code encode(sentences)}, averaged over {@code runs} after a warm-up. */
    public static Map<String, Double> millisPerStage(ElmoModel model, int threads, List<List<String>> sentences, int runs)
            throws IOException {
        Path dir = Files.createTempDirectory("elmo-profile");
        // The cache is off so that every run computes the char CNN, as a cold batch does.
        try (ElmoEncoder encoder = new ElmoEncoder(model, threads, 0,
                sessionOptions -> sessionOptions.enableProfiling(dir.resolve("ort").toString()))) {
            for (int i = 0; i < runs + 1; i++) {
                encoder.encode(sentences);
            }
        }
        // ONNX Runtime writes the trace (ort_<time>.json) when the session closes.
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> traces = files.toList();
            try {
                if (traces.size() != 1) {
                    throw new IOException("expected one ONNX Runtime profile in " + dir + ", found " + traces);
                }
                return sumByStage(new ObjectMapper().readTree(traces.get(0).toFile()), runs + 1);
            } finally {
                for (Path trace : traces) {
                    Files.deleteIfExists(trace);
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    static Map<String, Double> sumByStage(JsonNode events, int runs) {
        Map<String, Double> micros = new LinkedHashMap<>();
        for (JsonNode event : events) {
            String name = event.path("name").asText();
            if (!"Node".equals(event.path("cat").asText()) || !name.endsWith("_kernel_time") || !name.contains("/")) {
                continue;
            }
            String stage = name.substring(0, name.indexOf('/'));
            // Nodes of a Scan's step graph (and the nodes ONNX Runtime fuses them into) are already in the Scan's time.
            if (TOP_LEVEL_STAGE.matcher(stage).matches()) {
                micros.merge(stage, event.path("dur").asDouble(), Double::sum);
            }
        }
        Map<String, Double> millis = new LinkedHashMap<>();
        micros.forEach((stage, us) -> millis.put(stage, us / 1000.0 / runs));
        return millis;
    }
}
