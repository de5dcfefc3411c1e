package org.elmosearch.plugin;

import org.elmosearch.elmo.SyntheticModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One node of the real Elasticsearch distribution with the plugin zip installed (and, for a single node, a tiny
 * model in {@code config/elmo/tiny}), on 127.0.0.1 with entitlements enforced (the distribution's default).
 * Elasticsearch refuses to run as root, so as root the node runs as the unprivileged user {@value #USER}, created
 * if needed.
 */
final class DistributionNode implements AutoCloseable {

    static final String USER = "elmo-es";
    static final String CLUSTER = "elmo-e2e";

    private final Path root;
    private final Path home;
    private final int httpPort;
    private final int transportPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private List<String> settings = List.of();
    /** {@code user:password} that requests and health checks go as; null with security off. */
    private String credentials;
    private long pid = -1;

    private DistributionNode(Path root, Path home, int httpPort, int transportPort) {
        this.root = root;
        this.home = home;
        this.httpPort = httpPort;
        this.transportPort = transportPort;
    }

    /** Installs a single node with the tiny model in its config directory, and starts it. */
    static DistributionNode start(Path distribution, Path pluginZip) throws Exception {
        DistributionNode node = install(distribution, pluginZip);
        if (isRoot()) {
            ensureUser();
        }
        node.writeModel("tiny", 11);
        node.start(List.of("discovery.type=single-node"));
        return node;
    }

    /**
     * Starts {@code size} nodes that form one cluster, all masters, with empty config directories; in parallel,
     * as a node waits for the others to elect a master.
     */
    static List<DistributionNode> startCluster(Path distribution, Path pluginZip, int size) throws Exception {
        List<DistributionNode> nodes = new ArrayList<>();
        nodes.add(install(distribution, pluginZip));
        for (int i = 1; i < size; i++) {
            // A copy of the first node's installation, before it ever ran: the plugin tool is slow to start.
            nodes.add(copyOf(nodes.get(0).home));
        }
        List<String> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            seeds.add("127.0.0.1:" + nodes.get(i).transportPort);
            names.add("node-" + i);
        }
        List<java.util.concurrent.Future<?>> started = new ArrayList<>();
        java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newFixedThreadPool(size);
        try {
            for (int i = 0; i < size; i++) {
                DistributionNode node = nodes.get(i);
                List<String> settings = List.of("node.name=" + names.get(i), "discovery.seed_hosts=" + String.join(",", seeds),
                        "cluster.initial_master_nodes=" + String.join(",", names));
                started.add(starter.submit(() -> {
                    node.start(settings);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> future : started) {
                future.get();
            }
        } finally {
            starter.shutdownNow();
        }
        return nodes;
    }

    /**
     * Installs a single node with security on (the basic licence's, plain HTTP on loopback), users of the file realm,
     * and roles appended to {@code config/roles.yml}; requests go as {@code admin}, a superuser.
     *
     * @param users user name to {@code password:role}
     */
    static DistributionNode startSecured(Path distribution, Path pluginZip, Map<String, String> users, String roles) throws Exception {
        DistributionNode node = install(distribution, pluginZip);
        Files.writeString(node.home.resolve("config/roles.yml"), roles, java.nio.file.StandardOpenOption.APPEND);
        for (Map.Entry<String, String> user : users.entrySet()) {
            String[] passwordAndRole = user.getValue().split(":", 2);
            node.run(List.of(node.home.resolve("bin/elasticsearch-users").toString(), "useradd", user.getKey(), "-p", passwordAndRole[0],
                    "-r", passwordAndRole[1]), false, 120);
        }
        node.credentials = "admin:" + users.get("admin").split(":", 2)[0];
        node.start(List.of("discovery.type=single-node", "xpack.security.enabled=true", "xpack.security.http.ssl.enabled=false",
                "xpack.security.transport.ssl.enabled=false"));
        return node;
    }

    /** Copies the unpacked distribution and installs the plugin. */
    private static DistributionNode install(Path distribution, Path pluginZip) throws Exception {
        if (!Files.isDirectory(distribution) || !Files.isRegularFile(pluginZip)) {
            throw new IllegalStateException("run through `mvn verify`: need the unpacked distribution [" + distribution
                    + "] and the plugin zip [" + pluginZip + "]");
        }
        DistributionNode node = copyOf(distribution);
        node.run(List.of(node.home.resolve("bin/elasticsearch-plugin").toString(), "install", "--batch", pluginZip.toUri().toString()), false, 120);
        return node;
    }

    /** A node in a new folder, with a copy of the installation in {@code from}. */
    private static DistributionNode copyOf(Path from) throws IOException {
        Path root = Files.createTempDirectory("elmo-e2e");
        Path home = root.resolve("elasticsearch");
        copyTree(from, home);
        // Unpacking through Maven may drop the executable bits.
        try (Stream<Path> scripts = Files.list(home.resolve("bin"))) {
            for (Path script : scripts.toList()) {
                script.toFile().setExecutable(true, false);
            }
        }
        return new DistributionNode(root, home, freePort(), freePort());
    }

    /** Starts the node with these settings ({@code key=value}) besides the common ones; the ports stay the node's own. */
    private void start(List<String> extraSettings) throws Exception {
        settings = extraSettings;
        if (isRoot()) {
            ensureUser();
            run(List.of("chown", "-R", USER + ":", root.toString()), false, 60);
        }
        launch();
    }

    /** Starts the node again after {@link #close}, with its data and settings. */
    void restart() throws Exception {
        launch();
    }

    int httpPort() {
        return httpPort;
    }

    /** The node's config directory. */
    Path configDir() {
        return home.resolve("config");
    }

    private void launch() throws Exception {
        Path pidFile = home.resolve("es.pid");
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/elasticsearch").toString(), "-d", "-p", pidFile.toString()));
        List<String> all = new ArrayList<>(List.of("cluster.name=" + CLUSTER, "network.host=127.0.0.1", "http.port=" + httpPort,
                "transport.port=" + transportPort, "cluster.routing.allocation.disk.threshold_enabled=false"));
        if (credentials == null) {
            all.add("xpack.security.enabled=false");
        }
        all.addAll(settings);
        for (String setting : all) {
            command.add("-E");
            command.add(setting);
        }
        run(command, true, 180);
        pid = Long.parseLong(Files.readString(pidFile).trim());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                if (request("GET", "/_cluster/health?wait_for_status=yellow&timeout=10s", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the node did not become healthy; log:\n" + logTail());
            }
            Thread.sleep(500);
        }
    }

    /** Writes a tiny random model into {@code config/elmo/<id>}, readable by the node's user. */
    void writeModel(String id, long seed) throws Exception {
        Path dir = home.resolve("config/elmo").resolve(id);
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), seed), dir);
        if (isRoot()) {
            run(List.of("chown", "-R", USER + ":", home.resolve("config/elmo").toString()), false, 60);
        }
    }

    HttpResponse<String> request(String method, String path, String json) throws IOException, InterruptedException {
        return request(method, path, json, credentials);
    }

    /** A request as {@code user:password} (none: null). */
    HttpResponse<String> request(String method, String path, String json, String user) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(120));
        if (user != null) {
            builder.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(user.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        if (json == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json");
            builder.method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The node's main log. */
    String log() throws IOException {
        Path log = home.resolve("logs").resolve(CLUSTER + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private String logTail() throws IOException {
        String log = log();
        return log.substring(Math.max(0, log.length() - 8000));
    }

    /** Stops the node (SIGTERM, as a service manager would) and waits for it to exit. */
    @Override
    public void close() throws Exception {
        if (pid > 0) {
            var process = ProcessHandle.of(pid);
            if (process.isPresent()) {
                process.get().destroy();
                try {
                    process.get().onExit().get(90, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    process.get().destroyForcibly();
                    throw new IllegalStateException("the node did not stop within 90s");
                }
            }
            pid = -1;
        }
    }

    /** Removes the node's directory. */
    void delete() throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private void run(List<String> command, boolean asNodeUser, int timeoutSeconds) throws Exception {
        List<String> full = new ArrayList<>();
        if (asNodeUser && isRoot()) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
        Path output = root.resolve("command-" + System.nanoTime() + ".log");
        builder.redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("ES_JAVA_HOME", System.getProperty("java.home"));
        env.put("ES_JAVA_OPTS", "-Xms512m -Xmx512m");
        env.remove("JAVA_HOME");
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(full + " did not finish in " + timeoutSeconds + "s: " + Files.readString(output));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(full + " exited with " + process.exitValue() + ":\n" + Files.readString(output)
                    + (command.get(0).endsWith("bin/elasticsearch") ? "\nlog:\n" + logTail() : ""));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void ensureUser() throws Exception {
        if (new ProcessBuilder("id", "-u", USER).start().waitFor() != 0) {
            Process add = new ProcessBuilder("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER)
                    .redirectErrorStream(true).start();
            if (add.waitFor() != 0) {
                throw new IllegalStateException("useradd " + USER + " failed: " + new String(add.getInputStream().readAllBytes()));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
