package org.elmosearch.plugin.store;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.node.ModelId;
import org.elmosearch.plugin.ElmoObjectParsers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One stored version of a model: its files with their lengths and SHA-256 checksums, and the chunk size they are
 * uploaded in. The manifest is what an upload is checked against before it replaces anything.
 *
 * @param version   this upload's id, made by the node that started it
 * @param committed whether every chunk arrived, matched its file's checksum and the files loaded as a model
 */
public record ModelManifest(String modelId, String version, int chunkSize, List<ModelFile> files, long createdMillis, boolean committed)
        implements Writeable, ToXContentObject {

    public static final int DEFAULT_CHUNK_SIZE = 4 << 20;
    /** Small enough that a base64 chunk stays far below {@code http.max_content_length} (100 MB by default). */
    public static final int MAX_CHUNK_SIZE = 32 << 20;
    public static final int MIN_CHUNK_SIZE = 1 << 10;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * One file of the model directory.
     *
     * @param name a plain file name, as in the model directory
     */
    public record ModelFile(String name, long length, String sha256) implements Writeable {

        ModelFile(StreamInput in) throws IOException {
            this(in.readString(), in.readVLong(), in.readString());
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeString(name);
            out.writeVLong(length);
            out.writeString(sha256);
        }

        /** How many chunks hold the file: none for an empty one. */
        public int chunks(int chunkSize) {
            return Math.toIntExact((length + chunkSize - 1) / chunkSize);
        }

        /** The exact length of chunk {@code chunk}: the chunk size, except for the last. */
        public int chunkLength(int chunk, int chunkSize) {
            return (int) Math.min(chunkSize, length - (long) chunk * chunkSize);
        }
    }

    private static final String WHERE = "_elmo/models";
    private static final String FILE_WHERE = WHERE + ".files";

    /** A file as the request gives it, before it is checked. */
    private static final class FileBody {
        String name;
        long length;
        String sha256;

        ModelFile file() {
            return new ModelFile(name, length, sha256);
        }
    }

    private static final ObjectParser<FileBody, Void> FILE_PARSER = new ObjectParser<>(FILE_WHERE,
            ElmoObjectParsers.refuseUnknown(FILE_WHERE, List.of("name", "length", "sha256")), FileBody::new);

    static {
        FILE_PARSER.declareString((f, v) -> f.name = v, new ParseField("name"));
        FILE_PARSER.declareLong((f, v) -> f.length = v, new ParseField("length"));
        FILE_PARSER.declareString((f, v) -> f.sha256 = v, new ParseField("sha256"));
        FILE_PARSER.declareRequiredFieldSet("name");
        FILE_PARSER.declareRequiredFieldSet("length");
        FILE_PARSER.declareRequiredFieldSet("sha256");
    }

    /** The body of {@code PUT _elmo/models/<model_id>}. */
    private static final class Body {
        Integer chunkSize;
        List<FileBody> files;
    }

    private static final ObjectParser<Body, Void> BODY_PARSER = new ObjectParser<>(WHERE,
            ElmoObjectParsers.refuseUnknown(WHERE, List.of("files", "chunk_size")), Body::new);

    static {
        BODY_PARSER.declareObjectArray((b, v) -> b.files = v, FILE_PARSER, new ParseField("files"));
        BODY_PARSER.declareInt((b, v) -> b.chunkSize = v, new ParseField("chunk_size"));
    }

    /**
     * Parses and checks a new upload's manifest.
     *
     * @throws IllegalArgumentException naming the field and the problem
     */
    public static ModelManifest parseUpload(String modelId, String version, XContentParser parser, long nowMillis) throws IOException {
        Body body = BODY_PARSER.parse(parser, null);
        int chunkSize = body.chunkSize == null ? DEFAULT_CHUNK_SIZE : body.chunkSize;
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("[chunk_size] must be between " + MIN_CHUNK_SIZE + " and " + MAX_CHUNK_SIZE + " bytes, got ["
                    + chunkSize + "]");
        }
        if (body.files == null || body.files.isEmpty()) {
            throw new IllegalArgumentException("[files] is required: the model directory's files, each with [name], [length] and [sha256]");
        }
        List<ModelFile> files = body.files.stream().map(FileBody::file).toList();
        Set<String> names = new HashSet<>();
        for (ModelFile file : files) {
            checkFileName(file.name());
            if (!names.add(file.name())) {
                throw new IllegalArgumentException("[files] names [" + file.name() + "] twice");
            }
            if (file.length() < 0) {
                throw new IllegalArgumentException("[files] [" + file.name() + "]: [length] must be at least 0, got [" + file.length() + "]");
            }
            if (!SHA256.matcher(file.sha256()).matches()) {
                throw new IllegalArgumentException("[files] [" + file.name() + "]: [sha256] must be 64 lowercase hex digits, got ["
                        + file.sha256() + "]");
            }
        }
        return new ModelManifest(modelId, version, chunkSize, files, nowMillis, false);
    }

    private static void checkFileName(String name) {
        try {
            ModelId.check(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[files] [name] must be a plain file name (letters, digits, '_', '-', '.'; no path), got ["
                    + name + "]");
        }
    }

    /** The file named {@code name}. */
    public ModelFile file(String name) {
        for (ModelFile file : files) {
            if (file.name().equals(name)) {
                return file;
            }
        }
        List<String> names = files.stream().map(ModelFile::name).toList();
        throw new IllegalArgumentException("[file] [" + name + "] is not in upload [" + version + "] of model [" + modelId + "]; its files: " + names);
    }

    public long totalLength() {
        return files.stream().mapToLong(ModelFile::length).sum();
    }

    public ModelManifest committedCopy() {
        return new ModelManifest(modelId, version, chunkSize, files, createdMillis, true);
    }

    public ModelManifest(StreamInput in) throws IOException {
        this(in.readString(), in.readString(), in.readVInt(), in.readCollectionAsList(ModelFile::new), in.readVLong(), in.readBoolean());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(modelId);
        out.writeString(version);
        out.writeVInt(chunkSize);
        out.writeCollection(files);
        out.writeVLong(createdMillis);
        out.writeBoolean(committed);
    }

    /** The fields stored in the index. */
    Map<String, Object> toSource() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("model_id", modelId);
        source.put("version", version);
        source.put("chunk_size", chunkSize);
        List<Map<String, Object>> list = new ArrayList<>();
        for (ModelFile file : files) {
            list.add(Map.of("name", file.name(), "length", file.length(), "sha256", file.sha256()));
        }
        source.put("files", list);
        source.put("created", createdMillis);
        source.put("committed", committed);
        return source;
    }

    @SuppressWarnings("unchecked")
    static ModelManifest fromSource(Map<String, Object> source) {
        List<ModelFile> files = new ArrayList<>();
        for (Map<String, Object> file : (List<Map<String, Object>>) source.get("files")) {
            files.add(new ModelFile((String) file.get("name"), ((Number) file.get("length")).longValue(), (String) file.get("sha256")));
        }
        return new ModelManifest((String) source.get("model_id"), (String) source.get("version"), ((Number) source.get("chunk_size")).intValue(),
                files, ((Number) source.get("created")).longValue(), (Boolean) source.get("committed"));
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("model_id", modelId);
        builder.field("version", version);
        builder.field("chunk_size", chunkSize);
        builder.field("total_length", totalLength());
        builder.startArray("files");
        for (ModelFile file : files) {
            builder.startObject().field("name", file.name()).field("length", file.length()).field("sha256", file.sha256())
                    .field("chunks", file.chunks(chunkSize)).endObject();
        }
        builder.endArray();
        builder.timestampFieldsFromUnixEpochMillis("created_millis", "created", createdMillis);
        builder.field("committed", committed);
        return builder.endObject();
    }
}
