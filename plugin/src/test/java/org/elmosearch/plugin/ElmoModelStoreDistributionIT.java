package org.elmosearch.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.elmosearch.cli.ElmoCli;
import org.elmosearch.elmo.SyntheticModel;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The cluster's model store end to end on the real distribution: three nodes on 127.0.0.1 with empty config
 * directories; the model goes in with {@code elmo upload} over HTTP, and every node embeds, across a restart, a
 * new version, refused corrupt uploads and a deletion.
 */
public class ElmoModelStoreDistributionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "tiny";
    private static final int CHUNK = 16 << 10;

    private static List<DistributionNode> nodes;

    @BeforeClass
    public static void startCluster() throws Exception {
        nodes = DistributionNode.startCluster(Path.of(System.getProperty("elmo.e2e.distribution", "missing")),
                Path.of(System.getProperty("elmo.e2e.plugin", "missing")), 3);
        JsonNode health = call(nodes.get(0), 200, "GET", "/_cluster/health?wait_for_nodes=3&timeout=60s", null);
        assertEquals(health.toString(), 3, health.get("number_of_nodes").asInt());
    }

    @AfterClass
    public static void stopClusterAndCheckTheLogs() throws Exception {
        if (nodes == null) {
            return;
        }
        try {
            for (DistributionNode node : nodes) {
                node.close();
            }
            for (DistributionNode node : nodes) {
                String log = node.log();
                assertFalse("entitlement denied", log.contains("NotEntitledException"));
            }
        } finally {
            for (DistributionNode node : nodes) {
                node.delete();
            }
            nodes = null;
        }
    }

    private static JsonNode call(DistributionNode node, int expectedStatus, String method, String path, String body) throws Exception {
        HttpResponse<String> response = node.request(method, path, body);
        assertEquals(method + " " + path + " -> " + response.body(), expectedStatus, response.statusCode());
        return JSON.readTree(response.body());
    }

    private static Path tinyModel(long seed) throws Exception {
        Path dir = Files.createTempDirectory("elmo-upload");
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), seed), dir);
        return dir;
    }

    /** {@code elmo upload} into the cluster through {@code node}; returns the version it printed. */
    private static String upload(DistributionNode node, Path model) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ElmoCli.run(new String[] {"upload", "--url", "http://127.0.0.1:" + node.httpPort(), "--model", model.toString(), "--id", MODEL,
                "--chunk-size", Integer.toString(CHUNK)}, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(err.toString(StandardCharsets.UTF_8), 0, code);
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private static float[] embed(DistributionNode node) throws Exception {
        JsonNode vector = call(node, 200, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": [\"the river bank\"]}").at("/results/0/vector");
        float[] values = new float[vector.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) vector.get(i).asDouble();
        }
        return values;
    }

    /** Every node's own state of the model, as {@code GET _elmo/models} reports it: node name to model. */
    private static Map<String, JsonNode> states() throws Exception {
        Map<String, JsonNode> states = new java.util.TreeMap<>();
        call(nodes.get(0), 200, "GET", "/_elmo/models", null).get("nodes").forEach(node -> {
            JsonNode model = null;
            for (JsonNode m : node.get("models")) {
                if (m.get("model_id").asText().equals(MODEL)) {
                    model = m;
                }
            }
            states.put(node.get("name").asText(), model);
        });
        return states;
    }

    private static void assertEveryNodeServes(String version) throws Exception {
        Map<String, JsonNode> states = states();
        assertEquals(states.toString(), 3, states.size());
        for (JsonNode model : states.values()) {
            assertTrue(states.toString(), model != null);
            assertEquals(model.toString(), "loaded", model.get("state").asText());
            assertEquals(model.toString(), "cluster", model.get("source").asText());
            assertEquals(model.toString(), version, model.get("version").asText());
        }
    }

    private static float[] embedOnEveryNode() throws Exception {
        float[] first = embed(nodes.get(0));
        for (DistributionNode node : nodes) {
            assertArrayEquals(first, embed(node), 0f);
        }
        return first;
    }

    @Test
    public void oneUploadServesEveryNodeAcrossARestartANewVersionRefusedUploadsAndADeletion() throws Exception {
        Path first = tinyModel(11);
        String v1 = upload(nodes.get(0), first);
        assertEveryNodeServes(v1);
        float[] before = embedOnEveryNode();

        // A node that restarts loads the stored model by itself: it has no model file of its own.
        DistributionNode restarted = nodes.get(2);
        restarted.close();
        restarted.restart();
        call(nodes.get(0), 200, "GET", "/_cluster/health?wait_for_nodes=3&wait_for_status=green&timeout=60s", null);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (states().values().stream().anyMatch(m -> m == null || !m.get("state").asText().equals("loaded"))) {
            assertTrue("the restarted node did not load the model: " + states(), System.nanoTime() < deadline);
            Thread.sleep(250);
        }
        assertEveryNodeServes(v1);
        assertFalse(Files.exists(restarted.configDir().resolve("elmo")));
        assertArrayEquals(before, embed(restarted), 0f);

        Path second = tinyModel(12);
        String v2 = upload(nodes.get(1), second);
        assertEveryNodeServes(v2);
        float[] after = embedOnEveryNode();
        assertFalse("the new weights answer", Arrays.equals(before, after));

        refusedUploadsLeaveTheVersionInService(second, v2, after);

        JsonNode deleted = call(nodes.get(0), 200, "DELETE", "/_elmo/models/" + MODEL, null);
        assertEquals(3, deleted.at("/_nodes/successful").asInt());
        for (DistributionNode node : nodes) {
            call(node, 404, "POST", "/_elmo/_embed", "{\"model_id\": \"tiny\", \"texts\": [\"a\"]}");
        }
        assertTrue(states().values().stream().allMatch(m -> m == null));
        call(nodes.get(0), 404, "DELETE", "/_elmo/models/" + MODEL, null);
    }

    /** A checksum mismatch, a missing chunk and a truncated chunk are refused with a 400 naming the problem. */
    private static void refusedUploadsLeaveTheVersionInService(Path model, String version, float[] serving) throws Exception {
        byte[] weights = Files.readAllBytes(model.resolve("weights.hdf5"));
        byte[] options = Files.readAllBytes(model.resolve("options.json"));
        String weightsSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
        String optionsSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(options));
        int chunks = (weights.length + CHUNK - 1) / CHUNK;
        assertTrue("the test needs several chunks", chunks > 2);
        DistributionNode node = nodes.get(0);

        String mismatch = start(node, weights.length, "0".repeat(64), options.length, optionsSha);
        sendAll(node, mismatch, weights, options, -1);
        assertThat(call(node, 400, "POST", "/_elmo/models/tiny/_commit?upload_id=" + mismatch, null).toString(),
                containsString("[weights.hdf5]: the uploaded bytes have sha256 [" + weightsSha + "] but the manifest says [" + "0".repeat(64) + "]"));

        String missing = start(node, weights.length, weightsSha, options.length, optionsSha);
        sendAll(node, missing, weights, options, 1);
        assertThat(call(node, 400, "POST", "/_elmo/models/tiny/_commit?upload_id=" + missing, null).toString(),
                containsString("[weights.hdf5] chunk [1] of " + chunks + " is missing"));

        String truncated = start(node, weights.length, weightsSha, options.length, optionsSha);
        assertThat(call(node, 400, "PUT", "/_elmo/models/tiny/_chunk", chunk(truncated, "weights.hdf5", 0, Arrays.copyOf(weights, 100))).toString(),
                containsString("chunk [0] of [weights.hdf5] holds 100 bytes"));
        sendAll(node, truncated, weights, options, 0);
        assertThat(call(node, 400, "POST", "/_elmo/models/tiny/_commit?upload_id=" + truncated, null).toString(),
                containsString("[weights.hdf5] chunk [0] of " + chunks + " is missing"));

        assertEveryNodeServes(version);
        assertArrayEquals(serving, embedOnEveryNode(), 0f);
    }

    private static String start(DistributionNode node, long weightsLength, String weightsSha, long optionsLength, String optionsSha) throws Exception {
        return call(node, 200, "PUT", "/_elmo/models/" + MODEL, """
                {"chunk_size": %d, "files": [{"name": "weights.hdf5", "length": %d, "sha256": "%s"},
                  {"name": "options.json", "length": %d, "sha256": "%s"}]}""".formatted(CHUNK, weightsLength, weightsSha, optionsLength, optionsSha))
                .get("upload_id").asText();
    }

    /** Sends every chunk but weights.hdf5's {@code skip} (none: -1). */
    private static void sendAll(DistributionNode node, String uploadId, byte[] weights, byte[] options, int skip) throws Exception {
        call(node, 200, "PUT", "/_elmo/models/tiny/_chunk", chunk(uploadId, "options.json", 0, options));
        for (int chunk = 0; chunk * CHUNK < weights.length; chunk++) {
            if (chunk != skip) {
                call(node, 200, "PUT", "/_elmo/models/tiny/_chunk",
                        chunk(uploadId, "weights.hdf5", chunk, Arrays.copyOfRange(weights, chunk * CHUNK, Math.min(weights.length, (chunk + 1) * CHUNK))));
            }
        }
    }

    private static String chunk(String uploadId, String file, int chunk, byte[] data) throws Exception {
        return JSON.writeValueAsString(Map.of("upload_id", uploadId, "file", file, "chunk", chunk, "data", Base64.getEncoder().encodeToString(data)));
    }
}
