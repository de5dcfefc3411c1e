package org.elmosearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code elmo upload} against a loopback HTTP server that plays the cluster's part. */
class UploadCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private HttpServer server;
    private final List<String> requests = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();
    private final Map<String, ByteArrayOutputStream> received = new TreeMap<>();
    private JsonNode manifest;
    /** What the commit answers: status and body. */
    private int commitStatus = 200;
    private String commitBody = """
            {"_nodes": {"total": 2, "successful": 2, "failed": 0}, "nodes": {
              "a": {"name": "node-a", "model": {"model_id": "m", "state": "loaded"}},
              "b": {"name": "node-b", "model": {"model_id": "m", "state": "loaded"}}}}""";

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        byte[] body = exchange.getRequestBody().readAllBytes();
        int status = 200;
        String answer = "{}";
        if (path.equals("/_elmo/models/m") && exchange.getRequestMethod().equals("PUT")) {
            manifest = JSON.readTree(body);
            answer = "{\"upload_id\": \"u1\"}";
        } else if (path.equals("/_elmo/models/m/_chunk")) {
            JsonNode chunk = JSON.readTree(body);
            assertEquals("u1", chunk.get("upload_id").asText());
            received.computeIfAbsent(chunk.get("file").asText(), f -> new ByteArrayOutputStream())
                    .writeBytes(Base64.getDecoder().decode(chunk.get("data").asText()));
            answer = "{\"acknowledged\": true}";
        } else if (path.equals("/_elmo/models/m/_commit")) {
            status = commitStatus;
            answer = commitBody;
        } else {
            status = 404;
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private byte[] writeModel() throws IOException {
        byte[] weights = new byte[2500];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (i * 31);
        }
        Files.write(dir.resolve("weights.hdf5"), weights);
        Files.writeString(dir.resolve("options.json"), "{}");
        return weights;
    }

    @Test
    void sendsTheManifestWithChecksumsEveryChunkInOrderAndCommits() throws Exception {
        byte[] weights = writeModel();
        ElmoCliTest.Result result = ElmoCliTest.run("upload", "--url", url(), "--model", dir.toString(), "--id", "m", "--chunk-size", "1024");
        assertEquals(0, result.code(), result.err());
        assertEquals("u1\n", result.out());
        assertEquals(1024, manifest.get("chunk_size").asInt());
        JsonNode weightsEntry = manifest.get("files").get(1);
        assertEquals("weights.hdf5", weightsEntry.get("name").asText());
        assertEquals(2500, weightsEntry.get("length").asLong());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights)), weightsEntry.get("sha256").asText());
        assertArrayEquals(weights, received.get("weights.hdf5").toByteArray());
        assertEquals("{}", received.get("options.json").toString(StandardCharsets.UTF_8));
        assertEquals("POST /_elmo/models/m/_commit?upload_id=u1", requests.get(requests.size() - 1));
        assertEquals(1 + 1 + 3 + 1, requests.size(), requests.toString());
        assertTrue(result.err().contains("weights.hdf5 chunk 3/3"), result.err());
        assertTrue(result.err().contains("node node-b: loaded"), result.err());
    }

    @Test
    void everyRequestCarriesTheUsersBasicAuthentication() throws Exception {
        writeModel();
        ElmoCliTest.Result result = ElmoCliTest.run("upload", "--url", url(), "--model", dir.toString(), "--id", "m", "--user", "elastic:s3cret");
        assertEquals(0, result.code(), result.err());
        String expected = "Basic " + Base64.getEncoder().encodeToString("elastic:s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(expected), authorizations.stream().distinct().toList());
        assertEquals(4, authorizations.size());
    }

    @Test
    void aRefusedUploadExitsNonZeroWithTheServersReason() throws Exception {
        writeModel();
        commitStatus = 400;
        commitBody = """
                {"error": {"type": "illegal_argument_exception",
                  "reason": "[weights.hdf5]: the uploaded bytes have sha256 [ab] but the manifest says [cd]"}, "status": 400}""";
        ElmoCliTest.Result result = ElmoCliTest.run("upload", "--url", url(), "--model", dir.toString(), "--id", "m");
        assertEquals(ElmoCli.FAILED, result.code());
        assertTrue(result.err().contains("elmo upload: the cluster refused POST /_elmo/models/m/_commit (400): "
                + "[weights.hdf5]: the uploaded bytes have sha256 [ab] but the manifest says [cd]"), result.err());
    }

    @Test
    void aNodeThatDidNotLoadTheVersionIsReportedAndTheExitCodeSaysSo() throws Exception {
        writeModel();
        commitBody = """
                {"nodes": {"a": {"name": "node-a", "model": {"state": "failed", "error": "out of memory"}}}}""";
        ElmoCliTest.Result result = ElmoCliTest.run("upload", "--url", url(), "--model", dir.toString(), "--id", "m");
        assertEquals(ElmoCli.FAILED, result.code());
        assertTrue(result.err().contains("did not load on [node-a: out of memory]"), result.err());
    }

    @Test
    void aWrongUrlIsAUsageError() throws Exception {
        writeModel();
        ElmoCliTest.Result result = ElmoCliTest.run("upload", "--url", "localhost:9200", "--model", dir.toString(), "--id", "m");
        assertEquals(ElmoCli.USAGE, result.code());
        assertTrue(result.err().contains("--url must look like http://HOST:PORT"), result.err());
    }
}
