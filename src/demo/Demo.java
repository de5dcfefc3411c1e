import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's client, run by run-demo.sh against a node it started: indexes the shipped corpus through the elmo
 * ingest processor and prints the hits of semantic queries and of questions answered by passages.
 * Usage: java -cp <elmo cli jar> Demo.java <base url> <model id> <demo dir>
 */
public class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static String base;

    record Passage(String topic, String title, String text) {
    }

    public static void main(String[] args) throws Exception {
        base = args[0];
        String model = args[1];
        Path dir = Path.of(args[2]);
        List<Passage> corpus = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("corpus.tsv"))) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                corpus.add(new Passage(f[0], f[1], f[2]));
            }
        }
        int dims = waitForModel(model);

        call("PUT", "/_ingest/pipeline/elmo-demo-passages", """
                {"description": "one vector per passage",
                 "processors": [{"elmo": {"model_id": "%s", "field": "body", "target_field": "body_vector"}}]}""".formatted(model));
        call("PUT", "/_ingest/pipeline/elmo-demo-articles", """
                {"description": "a vector per article and one per passage window, for question answering",
                 "processors": [{"elmo": {"model_id": "%s", "field": "body", "target_field": "body_vector",
                   "passages": {"target_field": "passages", "max_tokens": 24, "overlap_tokens": 0}}}]}""".formatted(model));
        for (String index : List.of("demo-passages", "demo-articles")) {
            call("DELETE", "/" + index + "?ignore_unavailable=true", null);
        }
        call("PUT", "/demo-passages", """
                {"settings": {"number_of_shards": 1, "number_of_replicas": 0}, "mappings": {"properties": {
                  "topic": {"type": "keyword"}, "title": {"type": "keyword"}, "body": {"type": "text"},
                  "body_vector": {"type": "dense_vector", "dims": %d, "similarity": "cosine"}}}}""".formatted(dims));
        call("PUT", "/demo-articles", """
                {"settings": {"number_of_shards": 1, "number_of_replicas": 0}, "mappings": {"properties": {
                  "topic": {"type": "keyword"}, "title": {"type": "keyword"}, "body": {"type": "text"},
                  "body_vector": {"type": "dense_vector", "dims": %d, "similarity": "cosine"},
                  "passages": {"type": "nested", "properties": {"text": {"type": "text"}, "offset": {"type": "integer"},
                    "vector": {"type": "dense_vector", "dims": %d, "similarity": "cosine"}}}}}}""".formatted(dims, dims));

        long start = System.nanoTime();
        StringBuilder bulk = new StringBuilder();
        for (Passage p : corpus) {
            bulk.append("{\"index\":{}}\n").append(JSON.writeValueAsString(Map.of("topic", p.topic(), "title", p.title(), "body", p.text()))).append('\n');
        }
        checkBulk(call("POST", "/demo-passages/_bulk?pipeline=elmo-demo-passages&refresh=true", bulk.toString()));
        Map<String, List<Passage>> articles = new LinkedHashMap<>();
        corpus.forEach(p -> articles.computeIfAbsent(p.title(), k -> new ArrayList<>()).add(p));
        bulk.setLength(0);
        for (List<Passage> article : articles.values()) {
            String body = String.join(" ", article.stream().map(Passage::text).toList());
            bulk.append("{\"index\":{}}\n").append(JSON.writeValueAsString(Map.of("topic", article.get(0).topic(),
                    "title", article.get(0).title(), "body", body))).append('\n');
        }
        checkBulk(call("POST", "/demo-articles/_bulk?pipeline=elmo-demo-articles&refresh=true", bulk.toString()));
        System.out.printf("Indexed %d passages and %d articles (with passage vectors) in %.1f s.%n%n", corpus.size(), articles.size(),
                (System.nanoTime() - start) / 1e9);

        System.out.println("== Semantic search: knn on body_vector, query embedded by the elmo query_vector_builder ==");
        for (String query : lines(dir.resolve("queries.txt"))) {
            JsonNode hits = call("POST", "/demo-passages/_search", """
                    {"size": 3, "_source": ["topic", "body"],
                     "knn": {"field": "body_vector", "k": 3, "num_candidates": 100,
                       "query_vector_builder": {"elmo": {"model_id": "%s", "text": %s}}}}""".formatted(model, JSON.writeValueAsString(query)))
                    .at("/hits/hits");
            System.out.println("\n> " + query);
            for (JsonNode hit : hits) {
                System.out.printf("  %.3f  [%s] %s%n", hit.get("_score").asDouble(), hit.at("/_source/topic").asText(), hit.at("/_source/body").asText());
            }
        }

        String query = lines(dir.resolve("queries.txt")).get(0);
        System.out.println("\n== BM25 re-ranked by the elmo rescorer (window 50) ==\n\n> " + query);
        JsonNode rescored = call("POST", "/demo-passages/_search", """
                {"size": 3, "_source": ["topic", "body"], "query": {"match": {"body": %s}},
                 "rescore": {"window_size": 50, "elmo": {"model_id": "%s", "text": %s, "field": "body_vector"}}}"""
                .formatted(JSON.writeValueAsString(query), model, JSON.writeValueAsString(query))).at("/hits/hits");
        for (JsonNode hit : rescored) {
            System.out.printf("  %.3f  [%s] %s%n", hit.get("_score").asDouble(), hit.at("/_source/topic").asText(), hit.at("/_source/body").asText());
        }

        System.out.println("\n== Question answering: knn on the nested passages.vector, the best passage as inner hit ==");
        for (String question : lines(dir.resolve("questions.txt"))) {
            JsonNode hits = call("POST", "/demo-articles/_search", """
                    {"size": 2, "_source": ["title"],
                     "knn": {"field": "passages.vector", "k": 2, "num_candidates": 100,
                       "inner_hits": {"size": 1, "_source": ["passages.text"]},
                       "query_vector_builder": {"elmo": {"model_id": "%s", "text": %s}}}}"""
                    .formatted(model, JSON.writeValueAsString(question))).at("/hits/hits");
            System.out.println("\n? " + question);
            for (JsonNode hit : hits) {
                JsonNode passage = hit.at("/inner_hits/passages/hits/hits/0");
                System.out.printf("  %.3f  %s: \"%s\"%n", passage.get("_score").asDouble(), hit.at("/_source/title").asText(),
                        passage.at("/_source/text").asText());
            }
        }

        JsonNode stats = call("GET", "/_elmo/stats", null).get("nodes").elements().next().at("/models/" + model);
        System.out.println("\n_elmo/stats for [" + model + "]: " + stats);
    }

    private static int waitForModel(String model) throws Exception {
        for (int attempt = 0; attempt < 600; attempt++) {
            try {
                for (JsonNode m : call("GET", "/_elmo/models", null).get("nodes").elements().next().get("models")) {
                    if (model.equals(m.get("model_id").asText())) {
                        switch (m.get("state").asText()) {
                            case "loaded" -> {
                                System.out.printf("Model [%s]: %d dims, %d layers, %,d parameters.%n", model, m.get("dims").asInt(),
                                        m.get("layers").asInt(), m.get("parameter_count").asLong());
                                return m.get("dims").asInt();
                            }
                            case "failed" -> throw new IllegalStateException("model [" + model + "] failed to load: " + m.get("error").asText());
                            default -> {
                            }
                        }
                    }
                }
            } catch (java.io.IOException notYet) {
                // The node is still starting.
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("model [" + model + "] did not load in 5 minutes");
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    private static void checkBulk(JsonNode response) {
        if (response.get("errors").asBoolean()) {
            throw new IllegalStateException("bulk indexing failed: " + response);
        }
    }

    private static JsonNode call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300 && !(method.equals("DELETE") && response.statusCode() == 404)) {
            throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
