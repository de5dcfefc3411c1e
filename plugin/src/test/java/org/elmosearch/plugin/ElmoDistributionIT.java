package org.elmosearch.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * End to end on the real Elasticsearch 9.5.3 distribution: install the plugin zip, start a node with entitlements
 * enforced as an unprivileged user, drive everything over HTTP, stop it, and check that the log holds no
 * entitlement denial. A plain JUnit test: the node is a separate process.
 */
public class ElmoDistributionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CORPUS = TestCorpus.SENTENCES;

    private static DistributionNode node;

    @BeforeClass
    public static void startNode() throws Exception {
        node = DistributionNode.start(Path.of(System.getProperty("elmo.e2e.distribution", "missing")),
                Path.of(System.getProperty("elmo.e2e.plugin", "missing")));
    }

    @AfterClass
    public static void stopNodeAndCheckTheLog() throws Exception {
        if (node == null) {
            return;
        }
        try {
            node.close();
            String log = node.log();
            assertFalse("entitlement denied:\n" + excerpt(log, "NotEntitledException"), log.contains("NotEntitledException"));
            assertThat("the node stopped cleanly", log, containsString("closed"));
        } finally {
            node.delete();
            node = null;
        }
    }

    private static String excerpt(String log, String needle) {
        int at = log.indexOf(needle);
        return at < 0 ? "" : log.substring(Math.max(0, at - 2000), Math.min(log.length(), at + 2000));
    }

    private static JsonNode call(int expectedStatus, String method, String path, String body) throws Exception {
        HttpResponse<String> response = node.request(method, path, body);
        assertEquals(method + " " + path + " -> " + response.body(), expectedStatus, response.statusCode());
        return JSON.readTree(response.body());
    }

    private static String json(Object value) throws Exception {
        return JSON.writeValueAsString(value);
    }

    private static void pipelineAndIndex(String index, int dims) throws Exception {
        call(200, "PUT", "/_ingest/pipeline/elmo", """
                {"processors": [{"elmo": {"model_id": "tiny", "field": "body", "target_field": "body_vector",
                  "token_vectors_field": "body_tokens",
                  "passages": {"target_field": "passages", "max_tokens": 12, "overlap_tokens": 0}}}]}""");
        call(200, "PUT", "/" + index, """
                {"settings": {"number_of_replicas": 0}, "mappings": {"properties": {
                  "body": {"type": "text"},
                  "body_vector": {"type": "dense_vector", "dims": %s, "similarity": "cosine"},
                  "body_tokens": {"type": "elmo_token_vectors", "dims": %s, "encoding": "int8"},
                  "passages": {"type": "nested", "properties": {
                    "text": {"type": "text"}, "offset": {"type": "integer"},
                    "vector": {"type": "dense_vector", "dims": %s, "similarity": "cosine"}}}}}}""".formatted(dims, dims, dims));
    }

    private static JsonNode bulk(String index, List<Object> bodies) throws Exception {
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < bodies.size(); i++) {
            ndjson.append("{\"index\":{\"_id\":\"").append(i).append("\"}}\n").append(json(java.util.Map.of("body", bodies.get(i)))).append('\n');
        }
        return call(200, "POST", "/" + index + "/_bulk?pipeline=elmo&refresh=true", ndjson.toString());
    }

    @Test
    public void pluginAndModelAreLoadedWithEntitlementsOn() throws Exception {
        JsonNode plugins = call(200, "GET", "/_nodes/plugins", null);
        assertThat(plugins.toString(), containsString("\"name\":\"elmo-search\""));
        JsonNode model = loadedModel("tiny");
        assertEquals(model.toString(), "loaded", model.get("state").asText());
        assertEquals(32, model.get("dims").asInt());
        assertEquals(3, model.get("layers").asInt());
        assertThat(model.get("parameter_count").asLong(), greaterThan(0L));
    }

    /** The model as {@code _elmo/models} shows it once the node is done loading it. */
    private static JsonNode loadedModel(String id) throws Exception {
        JsonNode model = null;
        for (int attempt = 0; attempt < 60; attempt++) {
            JsonNode nodes = call(200, "GET", "/_elmo/models", null).get("nodes");
            for (JsonNode m : nodes.elements().next().get("models")) {
                model = m.get("model_id").asText().equals(id) ? m : model;
            }
            if (model != null && !"available".equals(model.get("state").asText()) && !"loading".equals(model.get("state").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        return model;
    }

    @Test
    public void semanticSearchFlowOverHttp() throws Exception {
        pipelineAndIndex("docs", 32);
        List<Object> bodies = new java.util.ArrayList<>(CORPUS);
        String article = "Mount Everest is the highest mountain on Earth. It stands in the Himalayas. "
                + "The first confirmed ascent was in 1953. Climbers use bottled oxygen near the summit.";
        bodies.add(article);
        bodies.add(42);
        JsonNode items = bulk("docs", bodies).get("items");
        int bad = bodies.size() - 1;
        assertEquals(400, items.get(bad).get("index").get("status").asInt());
        assertThat(items.get(bad).toString(), containsString("field [body] must hold a string or an array of strings"));
        for (int i = 0; i < bad; i++) {
            assertEquals(items.get(i).toString(), 201, items.get(i).get("index").get("status").asInt());
        }

        String query = CORPUS.get(3);
        JsonNode knn = call(200, "POST", "/docs/_search", """
                {"knn": {"field": "body_vector", "k": 3, "num_candidates": 20,
                 "query_vector_builder": {"elmo": {"model_id": "tiny", "text": %s}}}}""".formatted(json(query)));
        assertEquals("3", knn.at("/hits/hits/0/_id").asText());

        // The plugin's fusion retriever, on a distribution without x-pack's: BM25 and knn both put the text's own document first.
        JsonNode fused = call(200, "POST", "/docs/_search", """
                {"retriever": {"elmo_fusion": {"retrievers": [
                   {"retriever": {"standard": {"query": {"match": {"body": %s}}}}, "weight": 0.7},
                   {"retriever": {"knn": {"field": "body_vector", "k": 5, "num_candidates": 20,
                     "query_vector_builder": {"elmo": {"model_id": "tiny", "text": %s}}}}, "weight": 0.3}]}}}""".formatted(json(query), json(query)));
        assertEquals("3", fused.at("/hits/hits/0/_id").asText());
        assertThat(fused.at("/hits/hits/0/_score").asDouble(), greaterThan(0.0));

        // The weakest BM25 hit for "the" becomes the first once rescored with its own text.
        JsonNode bm25 = call(200, "POST", "/docs/_search", "{\"size\": 20, \"query\": {\"match\": {\"body\": \"the\"}}}").at("/hits/hits");
        assertThat(bm25.size(), greaterThan(2));
        String last = bm25.get(bm25.size() - 1).get("_id").asText();
        JsonNode rescored = call(200, "POST", "/docs/_search", """
                {"query": {"match": {"body": "the"}},
                 "rescore": {"window_size": 20, "elmo": {"model_id": "tiny", "text": %s, "field": "body_vector",
                   "normalization": "none", "score_mode": "replace"}}}""".formatted(json(bodies.get(Integer.parseInt(last)))));
        assertEquals(last, rescored.at("/hits/hits/0/_id").asText());

        // MaxSim over the int8 token vectors: the same document, scored one best cosine (about 1) per query token.
        String lastText = (String) bodies.get(Integer.parseInt(last));
        int tokens = call(200, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": [" + json(lastText) + "]}")
                .at("/results/0/token_count").asInt();
        JsonNode maxSim = call(200, "POST", "/docs/_search", """
                {"query": {"match": {"body": "the"}},
                 "rescore": {"window_size": 20, "elmo": {"model_id": "tiny", "text": %s, "field": "body_tokens",
                   "mode": "maxsim", "normalization": "none", "score_mode": "replace"}}}""".formatted(json(lastText)));
        assertEquals(last, maxSim.at("/hits/hits/0/_id").asText());
        assertEquals(tokens, maxSim.at("/hits/hits/0/_score").asDouble(), 0.01 * tokens);

        String answer = "The first confirmed ascent was in 1953.";
        JsonNode qa = call(200, "POST", "/docs/_search", """
                {"_source": false, "knn": {"field": "passages.vector", "k": 3, "num_candidates": 50,
                 "inner_hits": {"size": 1, "_source": ["passages.text", "passages.offset"]},
                 "query_vector_builder": {"elmo": {"model_id": "tiny", "text": %s}}}}""".formatted(json(answer)));
        assertEquals(String.valueOf(CORPUS.size()), qa.at("/hits/hits/0/_id").asText());
        JsonNode passage = qa.at("/hits/hits/0/inner_hits/passages/hits/hits/0/_source");
        assertEquals(answer, passage.get("text").asText());
        assertEquals(article.indexOf(answer), passage.get("offset").asInt());

        JsonNode embedded = call(200, "POST", "/_elmo/_embed", """
                {"model_id": "tiny", "texts": ["hello world", ""], "output": "tokens"}""");
        assertEquals(32, embedded.get("dims").asInt());
        assertEquals(2, embedded.at("/results/0/tokens").size());
        assertEquals(32, embedded.at("/results/0/tokens/0/vector").size());
        assertEquals(0, embedded.at("/results/1/token_count").asInt());
        JsonNode layers = call(200, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": [\"hi there\"], \"output\": \"layers\"}");
        assertEquals(3, layers.at("/results/0/tokens/0/layers").size());

        JsonNode analyzed = call(200, "POST", "/_analyze", "{\"tokenizer\": \"elmo\", \"text\": \"Mr. Smith isn't here.\"}");
        assertThat(analyzed.get("tokens").size(), greaterThan(3));

        JsonNode stats = call(200, "GET", "/_elmo/stats", null).get("nodes").elements().next().at("/models/tiny");
        assertThat(stats.get("texts").asLong(), greaterThan((long) CORPUS.size()));
        assertThat(stats.get("batches").asLong(), greaterThan(0L));
    }

    @Test
    public void userMistakesGetA4xxWithTheReason() throws Exception {
        JsonNode unknownOption = call(400, "PUT", "/_ingest/pipeline/bad", "{\"processors\": [{\"elmo\": {\"model_id\": \"tiny\", \"field\": \"b\", \"colour\": 1}}]}");
        assertThat(unknownOption.toString(), containsString("unknown option [colour]; allowed: [model_id, field"));
        JsonNode traversal = call(400, "POST", "/_elmo/_embed", "{\"model_id\": \"../../etc\", \"texts\": [\"a\"]}");
        assertThat(traversal.toString(), containsString("plain name"));
        call(404, "POST", "/_elmo/_embed", "{\"model_id\": \"absent\", \"texts\": [\"a\"]}");
        JsonNode reloadAbsent = call(404, "POST", "/_elmo/models/absent/_reload", null);
        assertThat(reloadAbsent.toString(), containsString("no such model on this node"));
        JsonNode reloadBadId = call(400, "POST", "/_elmo/models/bad$id/_reload", null);
        assertThat(reloadBadId.toString(), containsString("plain name"));
        JsonNode malformed = call(400, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": \"not a list\"}");
        assertThat(malformed.toString(), containsString("[texts]"));
        JsonNode unknownEmbed = call(400, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": [\"a\"], \"pool\": \"max\"}");
        assertThat(unknownEmbed.toString(), containsString("unknown option [pool]"));

        StringBuilder many = new StringBuilder("{\"model_id\": \"tiny\", \"output\": \"layers\", \"texts\": [");
        for (int i = 0; i < 1000; i++) {
            many.append(i == 0 ? "" : ",").append('"').append("word ".repeat(500)).append('"');
        }
        JsonNode tooBig = call(400, "POST", "/_elmo/_embed", many.append("]}").toString());
        assertThat(tooBig.toString(), containsString("over the limit"));

        pipelineAndIndex("wide", 64);
        JsonNode wide = bulk("wide", List.of("Some text here.", "x ".repeat(50_000)));
        assertThat(wide.toString(), containsString("[32]"));
        assertThat(wide.toString(), containsString("[64]"));
        JsonNode rescoreWide = call(400, "POST", "/wide/_search", """
                {"query": {"match_all": {}}, "rescore": {"elmo": {"model_id": "tiny", "text": "x", "field": "body_vector"}}}""");
        assertThat(rescoreWide.toString(), containsString("model [tiny] makes 32-dimensional vectors"));
        JsonNode maxSimWide = call(400, "POST", "/wide/_search", """
                {"query": {"match_all": {}}, "rescore": {"elmo": {"model_id": "tiny", "text": "x", "field": "body_tokens", "mode": "maxsim"}}}""");
        assertThat(maxSimWide.toString(), containsString("field [body_tokens] of type [elmo_token_vectors] has dims [64]"));
        JsonNode rescoreUnknown = call(400, "POST", "/wide/_search", """
                {"query": {"match_all": {}}, "rescore": {"elmo": {"model_id": "tiny", "text": "x", "field": "body_vector", "weight": 2}}}""");
        assertThat(rescoreUnknown.toString(), containsString("unknown option [weight]"));
        JsonNode fusionUnknown = call(400, "POST", "/wide/_search", """
                {"retriever": {"elmo_fusion": {"weights": [1], "retrievers": [{"retriever": {"standard": {"query": {"match_all": {}}}}}]}}}""");
        assertThat(fusionUnknown.toString(), containsString("unknown option [weights]; allowed: [method, normalizer"));
        JsonNode emptyQuery = call(400, "POST", "/wide/_search", """
                {"knn": {"field": "body_vector", "k": 1, "num_candidates": 5, "query_vector_builder": {"elmo": {"model_id": "tiny", "text": " "}}}}""");
        assertThat(emptyQuery.toString(), containsString("holds no words to embed"));
        assertEquals("green", call(200, "GET", "/_cluster/health/wide", null).get("status").asText());
    }

    @Test
    public void aModelIsReloadedOverHttpAndServesAgain() throws Exception {
        JsonNode reload = call(200, "POST", "/_elmo/models/tiny/_reload", null);
        assertEquals(reload.toString(), 1, reload.get("_nodes").get("successful").asInt());
        JsonNode model = reload.get("nodes").elements().next().get("model");
        assertEquals("tiny", model.get("model_id").asText());
        assertEquals("loaded", model.get("state").asText());
        assertEquals("float32", model.get("weight_precision").asText());
        JsonNode embedded = call(200, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": [\"river bank\"]}");
        assertEquals(32, embedded.get("dims").asInt());
    }

    @Test
    public void aLoadOverTheMemoryBudgetIsRefusedNamingTheModelWhileTheOtherModelsServe() throws Exception {
        JsonNode tiny = loadedModel("tiny");
        long tinyBytes = tiny.at("/memory/native_bytes").asLong();
        assertThat(tiny.toString(), tinyBytes, greaterThan(0L));
        assertTrue("measured through /proc/self/status with entitlements on: " + tiny, tiny.at("/memory/measured").asBoolean());
        JsonNode memory = call(200, "GET", "/_elmo/stats", null).get("nodes").elements().next().get("memory");
        assertThat(memory.toString(), memory.get("native_bytes").asLong(), greaterThanOrEqualTo(tinyBytes));
        assertThat(memory.toString(), memory.get("max_bytes").asLong(), greaterThan(tinyBytes));

        node.writeModel("second", 5);
        call(200, "PUT", "/_cluster/settings", "{\"persistent\": {\"elmo.models.max_memory\": \"1kb\"}}");
        try {
            JsonNode refused = call(409, "POST", "/_elmo/_embed", "{\"model_id\": \"second\", \"texts\": [\"river bank\"]}");
            String reason = refused.at("/error/reason").asText();
            assertThat(reason, containsString("[model_id] [second] failed to load: refused: it needs about "));
            assertThat(reason, containsString("of the 1kb that [elmo.models.max_memory] allows"));
            JsonNode second = loadedModel("second");
            assertEquals(second.toString(), "failed", second.get("state").asText());
            assertEquals(reason, "[model_id] [second] failed to load: " + second.get("error").asText());
            assertEquals("loaded", loadedModel("tiny").get("state").asText());
            call(200, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": [\"river bank\"]}");
        } finally {
            call(200, "PUT", "/_cluster/settings", "{\"persistent\": {\"elmo.models.max_memory\": null}}");
        }
        JsonNode reloaded = call(200, "POST", "/_elmo/models/second/_reload", null);
        assertEquals(reloaded.toString(), "loaded", reloaded.get("nodes").elements().next().at("/model/state").asText());
    }
}
