package org.elmosearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code elmo upload}: stores a model directory in an Elasticsearch cluster's model store over HTTP (manifest, then
 * each file in chunks, then the commit that checks and loads it on every node).
 */
final class UploadCommand implements Command {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_CHUNK_SIZE = 4 << 20;

    @Override
    public String name() {
        return "upload";
    }

    @Override
    public String summary() {
        return "Store a model directory in an Elasticsearch cluster, which loads it on every node.";
    }

    @Override
    public String details() {
        return """
                Sends every file of the model directory (options.json + weights.hdf5 or model.onnx, and
                token-statistics.json and settings.json where present: what `elmo fit` writes included) with its
                SHA-256 to PUT _elmo/models/<id>, in chunks of --chunk-size bytes, then commits the upload. The
                cluster checks every chunk and checksum and loads the files before the new version replaces the
                one in service. Progress goes to stderr; the committed version id to stdout. Exits 1 with the
                server's reason when the upload is refused.
                """;
    }

    @Override
    public List<Flag> flags() {
        return List.of(
                Flag.value("--url", "URL", "the cluster's HTTP address, e.g. http://127.0.0.1:9200 (required)"),
                Flag.value("--model", "DIR", "the model directory to upload (required)"),
                Flag.value("--id", "MODEL_ID", "the id the model is stored and used under (required)"),
                Flag.value("--chunk-size", "BYTES", "bytes per chunk request (default " + DEFAULT_CHUNK_SIZE + ")"),
                Flag.value("--user", "USER:PASSWORD", "basic authentication, for a cluster with security on"));
    }

    /** One file to send. */
    private record ModelFile(Path path, long length, String sha256) {
        String name() {
            return path.getFileName().toString();
        }
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        URI base = baseUrl(arguments.required("--url"));
        Path dir = arguments.existingDirectory("--model");
        String id = arguments.required("--id");
        int chunkSize = arguments.integer("--chunk-size", DEFAULT_CHUNK_SIZE, 1);
        List<ModelFile> files = files(dir);
        if (files.isEmpty()) {
            throw new UsageException("--model: no files in " + dir);
        }
        Cluster cluster = new Cluster(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), base,
                arguments.optional("--user").map(user -> "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8))).orElse(null));
        String modelPath = "/_elmo/models/" + URLEncoder.encode(id, StandardCharsets.UTF_8);

        ObjectNode manifest = JSON.createObjectNode().put("chunk_size", chunkSize);
        ArrayNode list = manifest.putArray("files");
        long total = 0;
        for (ModelFile file : files) {
            list.addObject().put("name", file.name()).put("length", file.length()).put("sha256", file.sha256());
            total += file.length();
        }
        String uploadId = cluster.send("PUT", modelPath, manifest, Duration.ofMinutes(1)).path("upload_id").asText();
        err.printf(Locale.ROOT, "upload %s of model [%s]: %d files, %.1f MB%n", uploadId, id, files.size(), total / 1e6);

        long sent = 0;
        byte[] buffer = new byte[chunkSize];
        for (ModelFile file : files) {
            try (InputStream in = Files.newInputStream(file.path())) {
                long chunks = (file.length() + chunkSize - 1) / chunkSize;
                for (int chunk = 0; chunk < chunks; chunk++) {
                    int length = in.readNBytes(buffer, 0, (int) Math.min(chunkSize, file.length() - (long) chunk * chunkSize));
                    ObjectNode body = JSON.createObjectNode().put("upload_id", uploadId).put("file", file.name()).put("chunk", chunk)
                            .put("data", Base64.getEncoder().encodeToString(length == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, length)));
                    cluster.send("PUT", modelPath + "/_chunk", body, Duration.ofMinutes(2));
                    sent += length;
                    err.printf(Locale.ROOT, "  %s chunk %d/%d, %.1f of %.1f MB (%d%%)%n", file.name(), chunk + 1, chunks, sent / 1e6, total / 1e6,
                            total == 0 ? 100 : sent * 100 / total);
                }
            }
        }
        err.println("committing: the cluster checks the files and loads them on every node");
        JsonNode committed = cluster.send("POST", modelPath + "/_commit?upload_id=" + URLEncoder.encode(uploadId, StandardCharsets.UTF_8), null,
                Duration.ofMinutes(30));
        List<String> failed = new ArrayList<>();
        committed.path("nodes").properties().forEach(node -> {
            JsonNode model = node.getValue().path("model");
            String state = model.path("state").asText("absent");
            err.printf(Locale.ROOT, "  node %s: %s%n", node.getValue().path("name").asText(node.getKey()), state);
            if (!state.equals("loaded")) {
                failed.add(node.getValue().path("name").asText(node.getKey()) + ": " + model.path("error").asText(state));
            }
        });
        committed.path("_nodes").path("failures").forEach(f -> failed.add(f.path("node_id").asText() + ": " + f.path("reason").path("reason").asText()));
        out.println(uploadId);
        if (!failed.isEmpty()) {
            err.println("elmo upload: version " + uploadId + " is stored, but did not load on " + failed);
            return ElmoCli.FAILED;
        }
        return ElmoCli.OK;
    }

    private static URI baseUrl(String url) throws UsageException {
        try {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) address");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url must look like http://HOST:PORT, got '" + url + "'");
        }
    }

    /** The directory's regular files, sorted, each with its length and SHA-256; hidden files are left out. */
    private static List<ModelFile> files(Path dir) throws IOException {
        List<ModelFile> files = new ArrayList<>();
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path path : paths.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList()) {
                MessageDigest sha256 = sha256();
                try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha256)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                files.add(new ModelFile(path, Files.size(path), HexFormat.of().formatHex(sha256.digest())));
            }
        }
        return files;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cluster's HTTP address.
     *
     * @param authorization the Authorization header's value; null for none
     */
    private record Cluster(HttpClient http, URI base, String authorization) {

        /** Sends one JSON request; a refusal becomes an exception carrying the server's reason. */
        JsonNode send(String method, String path, JsonNode body, Duration timeout) throws IOException, InterruptedException {
            URI uri = URI.create(base + path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                throw new IOException("cannot connect to " + uri.getScheme() + "://" + uri.getAuthority() + ": " + e.getMessage(), e);
            }
            JsonNode json;
            try {
                json = JSON.readTree(response.body());
            } catch (IOException e) {
                json = null;
            }
            if (response.statusCode() / 100 != 2) {
                String reason = json == null ? response.body() : json.path("error").path("reason").asText(response.body());
                throw new IOException("the cluster refused " + method + " " + uri.getPath() + " (" + response.statusCode() + "): " + reason);
            }
            if (json == null) {
                throw new IOException(method + " " + uri.getPath() + " answered with something other than JSON: " + response.body());
            }
            return json;
        }
    }
}
