package org.elmosearch.plugin.store;

import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParseException;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;
import java.util.List;

import static org.hamcrest.Matchers.containsString;

public class ModelManifestTests extends ESTestCase {

    private static final String SHA = "a".repeat(64);

    private static ModelManifest parse(String json) throws IOException {
        try (XContentParser parser = JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY, json)) {
            return ModelManifest.parseUpload("m", "v1", parser, 42L);
        }
    }

    private static String files(String... entries) {
        return "{\"files\": [" + String.join(",", entries) + "]}";
    }

    private static String file(String name, long length, String sha) {
        return "{\"name\": \"" + name + "\", \"length\": " + length + ", \"sha256\": \"" + sha + "\"}";
    }

    public void testAManifestGivesEachFileItsChunksAndSurvivesTheWireAndTheIndex() throws IOException {
        ModelManifest manifest = parse("{\"chunk_size\": 1024, \"files\": [" + file("weights.hdf5", 2500, SHA) + "," + file("empty.json", 0, SHA) + "]}");
        assertEquals(1024, manifest.chunkSize());
        ModelManifest.ModelFile weights = manifest.file("weights.hdf5");
        assertEquals(3, weights.chunks(1024));
        assertEquals(List.of(1024, 1024, 452), List.of(weights.chunkLength(0, 1024), weights.chunkLength(1, 1024), weights.chunkLength(2, 1024)));
        assertEquals(0, manifest.file("empty.json").chunks(1024));
        assertEquals(2500, manifest.totalLength());
        assertEquals(manifest, copyWriteable(manifest, new NamedWriteableRegistry(List.of()), ModelManifest::new));
        assertEquals(manifest, ModelManifest.fromSource(manifest.toSource()));
        assertEquals(ModelManifest.DEFAULT_CHUNK_SIZE, parse(files(file("a", 1, SHA))).chunkSize());
    }

    public void testBadManifestsAreRefusedNamingTheFieldAndTheProblem() {
        assertRefused(files(file("../etc/passwd", 1, SHA)), "[files] [name] must be a plain file name");
        assertRefused(files(file("a", 1, SHA), file("a", 2, SHA)), "[files] names [a] twice");
        assertRefused(files(file("a", -1, SHA)), "[files] [a]: [length] must be at least 0, got [-1]");
        assertRefused(files(file("a", 1, "ABC")), "[files] [a]: [sha256] must be 64 lowercase hex digits, got [ABC]");
        assertRefused("{\"files\": []}", "[files] is required");
        assertRefused("{\"chunk_size\": 10, \"files\": [" + file("a", 1, SHA) + "]}", "[chunk_size] must be between 1024 and 33554432 bytes, got [10]");
        IllegalArgumentException unknown = expectThrows(IllegalArgumentException.class, () -> parse("{\"colour\": 1}"));
        assertEquals("[_elmo/models] unknown option [colour]; allowed: [files, chunk_size]", unknown.getMessage());
        XContentParseException unknownInAFile = expectThrows(XContentParseException.class,
                () -> parse("{\"files\": [{\"name\": \"a\", \"length\": 1, \"sha256\": \"" + SHA + "\", \"size\": 1}]}"));
        assertEquals("[_elmo/models.files] unknown option [size]; allowed: [name, length, sha256]", unknownInAFile.getCause().getMessage());
        XContentParseException missing = expectThrows(XContentParseException.class,
                () -> parse("{\"files\": [{\"name\": \"a\", \"length\": 1}]}"));
        assertThat(missing.getCause().getMessage(), containsString("[sha256]"));
    }

    public void testAChunkOfAFileTheManifestDoesNotNameIsRefusedListingItsFiles() throws IOException {
        ModelManifest manifest = parse(files(file("options.json", 10, SHA)));
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> manifest.file("weights.hdf5"));
        assertThat(e.getMessage(), containsString("[file] [weights.hdf5] is not in upload [v1] of model [m]; its files: [options.json]"));
    }

    private static void assertRefused(String json, String message) {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> parse(json));
        assertThat(e.getMessage(), containsString(message));
    }
}
