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
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

/**
 * The model store with Elasticsearch security on (basic licence, file realm): roles tell uploading, deleting and
 * using models apart by their action names; a user allowed to upload needs no privilege on the store's index, and
 * a restarted node loads the stored model by itself.
 */
public class ElmoModelStoreSecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPLOADER = "uploader:uploader-pw";
    private static final String READER = "reader:reader-pw";
    private static final String EMBED = "{\"model_id\": \"tiny\", \"texts\": [\"the river bank\"]}";

    private static DistributionNode node;

    @BeforeClass
    public static void startSecuredNode() throws Exception {
        node = DistributionNode.startSecured(Path.of(System.getProperty("elmo.e2e.distribution", "missing")),
                Path.of(System.getProperty("elmo.e2e.plugin", "missing")),
                Map.of("admin", "admin-pw:superuser", "uploader", "uploader-pw:elmo_uploader", "reader", "reader-pw:elmo_reader"), """

                        elmo_uploader:
                          cluster: ["cluster:admin/elmo/models/put*", "cluster:monitor/elmo/*"]
                        elmo_reader:
                          cluster: ["cluster:monitor/elmo/*"]
                        """);
    }

    @AfterClass
    public static void stopNode() throws Exception {
        if (node == null) {
            return;
        }
        try {
            node.close();
            assertFalse("entitlement denied", node.log().contains("NotEntitledException"));
        } finally {
            node.delete();
            node = null;
        }
    }

    private static JsonNode call(String user, int expectedStatus, String method, String path, String body) throws Exception {
        HttpResponse<String> response = node.request(method, path, body, user);
        assertEquals(user + " " + method + " " + path + " -> " + response.body(), expectedStatus, response.statusCode());
        return JSON.readTree(response.body());
    }

    @Test
    public void rolesTellUploadingDeletingAndUsingModelsApart() throws Exception {
        Path model = Files.createTempDirectory("elmo-upload");
        SyntheticModel.write(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 11), model);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] upload = {"upload", "--url", "http://127.0.0.1:" + node.httpPort(), "--model", model.toString(), "--id", "tiny", "--user", READER};
        assertEquals(ElmoCli.FAILED, ElmoCli.run(upload, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString("(403): action [cluster:admin/elmo/models/put] is unauthorized for user [reader]"));

        upload[upload.length - 1] = UPLOADER;
        err.reset();
        int code = ElmoCli.run(upload, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(err.toString(StandardCharsets.UTF_8), ElmoCli.OK, code);

        JsonNode vector = call(READER, 200, "POST", "/_elmo/_embed", EMBED).at("/results/0/vector");
        assertEquals(32, vector.size());
        assertEquals("cluster", call(READER, 200, "GET", "/_elmo/models", null).findValue("source").asText());
        assertThat(call(READER, 403, "GET", "/.elmo-models/_search", null).toString(), containsString("restricted indices [.elmo-models]"));
        assertThat(call(UPLOADER, 403, "DELETE", "/_elmo/models/tiny", null).toString(),
                containsString("action [cluster:admin/elmo/models/delete] is unauthorized for user [uploader]"));

        // The node's own sync after a restart runs without any user's request.
        node.close();
        node.restart();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (node.request("POST", "/_elmo/_embed", EMBED, READER).statusCode() != 200) {
            assertFalse("the restarted node did not load the stored model: " + call(READER, 200, "GET", "/_elmo/models", null),
                    System.nanoTime() > deadline);
            Thread.sleep(250);
        }
        assertEquals(vector, call(READER, 200, "POST", "/_elmo/_embed", EMBED).at("/results/0/vector"));

        assertEquals(200, node.request("DELETE", "/_elmo/models/tiny", null).statusCode());
        call(READER, 404, "POST", "/_elmo/_embed", EMBED);
    }
}
