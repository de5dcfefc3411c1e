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
import java.util.List;
import java.util.Map;

/**
 * The demo's client, run by run-demo.sh against a node it started: indexes the shipped corpus through the elmo
 * ingest processor, then prints for each query BM25's top hits beside BM25 + ELMo's, and what pooled vectors
 * alone find.
 * Usage: java -cp <elmo cli jar> Demo.java <base url> <model id> <demo dir>
 */
public class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static String base;

    record Passage(String topic, String title, String text) {
    }

    /** A demo query and the article whose passages answer it. */
    record Query(String text, String article) {
    }

    /** BM25's top hits are re-ranked by ELMo within this window, as `bin/elmo eval` does. */
    private static final int WINDOW = 100;

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
        List<Query> queries = new ArrayList<>();
        for (String line : lines(dir.resolve("queries.tsv"))) {
            String[] f = line.split("\t");
            queries.add(new Query(f[0], f[1]));
        }
        System.out.printf("Waiting for model [%s] to load...%n", model);
        int dims = waitForModel(model);

        call("PUT", "/_ingest/pipeline/elmo-demo", """
                {"description": "a pooled vector and the token vectors of each passage",
                 "processors": [{"elmo": {"model_id": "%s", "field": "body", "target_field": "body_vector",
                   "token_vectors_field": "body_tokens"}}]}""".formatted(model));
        call("DELETE", "/demo-passages?ignore_unavailable=true", null);
        call("PUT", "/demo-passages", """
                {"settings": {"number_of_shards": 1, "number_of_replicas": 0}, "mappings": {"properties": {
                  "topic": {"type": "keyword"}, "title": {"type": "keyword"}, "body": {"type": "text"},
                  "body_vector": {"type": "dense_vector", "dims": %d, "similarity": "cosine"},
                  "body_tokens": {"type": "elmo_token_vectors", "dims": %d}}}}""".formatted(dims, dims));

        System.out.printf("Indexing %d passages through the elmo pipeline...%n", corpus.size());
        long start = System.nanoTime();
        StringBuilder bulk = new StringBuilder();
        for (Passage p : corpus) {
            bulk.append("{\"index\":{}}\n").append(JSON.writeValueAsString(Map.of("topic", p.topic(), "title", p.title(), "body", p.text()))).append('\n');
        }
        checkBulk(call("POST", "/demo-passages/_bulk?pipeline=elmo-demo&refresh=true", bulk.toString()));
        System.out.printf("Indexed %d passages of %d articles with pooled and token vectors in %.1f s.%n", corpus.size(),
                corpus.stream().map(Passage::title).distinct().count(), (System.nanoTime() - start) / 1e9);
        System.out.printf("""

                For each query: BM25 alone, then BM25's top %d re-ranked by BM25 fused with ELMo MaxSim (each score
                normalized within the window, IDF-weighted query tokens): the elmo rescorer's defaults, one _search.
                BM25 uses the standard analyzer here (this test distribution of Elasticsearch has no English one:
                no stemming, no stop words), so it is weaker than bin/elmo eval's BM25; the fused scores are
                z-scores, not BM25's scale. A hit's [brackets] name its article; * marks the one that answers.
                """, WINDOW);

        int bm25Right = 0;
        int elmoRight = 0;
        for (Query query : queries) {
            String text = JSON.writeValueAsString(query.text());
            JsonNode bm25 = call("POST", "/demo-passages/_search", """
                    {"size": 3, "_source": ["title", "body"], "query": {"match": {"body": %s}}}""".formatted(text)).at("/hits/hits");
            JsonNode elmo = call("POST", "/demo-passages/_search", """
                    {"size": 3, "_source": ["title", "body"], "query": {"match": {"body": %s}},
                     "rescore": {"window_size": %d, "elmo": {"model_id": "%s", "text": %s, "field": "body_tokens", "mode": "maxsim"}}}"""
                    .formatted(text, WINDOW, model, text)).at("/hits/hits");
            System.out.println("\n> " + query.text() + "   (answered by: " + query.article() + ")");
            print("BM25", bm25, query);
            print("BM25 + ELMo", elmo, query);
            bm25Right += firstIsRight(bm25, query) ? 1 : 0;
            elmoRight += firstIsRight(elmo, query) ? 1 : 0;
        }
        System.out.printf("%nFirst hit from the answering article: BM25 %d of %d queries, BM25 + ELMo %d of %d.%n", bm25Right,
                queries.size(), elmoRight, queries.size());

        System.out.println("\n== Pooled vectors alone: knn on body_vector, the query embedded by the elmo query_vector_builder ==");
        for (Query query : queries.subList(0, Math.min(3, queries.size()))) {
            JsonNode hits = call("POST", "/demo-passages/_search", """
                    {"size": 3, "_source": ["title", "body"],
                     "knn": {"field": "body_vector", "k": 3, "num_candidates": 100,
                       "query_vector_builder": {"elmo": {"model_id": "%s", "text": %s}}}}"""
                    .formatted(model, JSON.writeValueAsString(query.text()))).at("/hits/hits");
            System.out.println("\n> " + query.text());
            print("knn", hits, query);
        }

        JsonNode stats = call("GET", "/_elmo/stats", null).get("nodes").elements().next().at("/models/" + model);
        System.out.println("\n_elmo/stats for [" + model + "]: " + stats);
    }

    private static void print(String method, JsonNode hits, Query query) {
        System.out.println("  " + method + ":");
        if (hits.isEmpty()) {
            System.out.println("    (no hit: no query word is in the corpus)");
        }
        for (JsonNode hit : hits) {
            String article = hit.at("/_source/title").asText();
            String body = hit.at("/_source/body").asText();
            System.out.printf("  %s %7.3f  [%s] %s%n", article.equals(query.article()) ? "*" : " ", hit.get("_score").asDouble(), article,
                    body.length() > 90 ? body.substring(0, 87) + "..." : body);
        }
    }

    private static boolean firstIsRight(JsonNode hits, Query query) {
        return !hits.isEmpty() && hits.get(0).at("/_source/title").asText().equals(query.article());
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
