package org.elmosearch.lucene;

import org.apache.lucene.store.Directory;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Bytes of an index's files, by kind of data, read from the directory. Token vectors live in doc values, so in an
 * index whose only doc-values field holds them, {@link #docValues()} is their storage; {@link #knnVectors()} is the
 * pooled vectors with their HNSW graph.
 *
 * @param bytesByExtension summed file lengths per file extension (e.g. {@code dvd})
 */
public record IndexSize(Map<String, Long> bytesByExtension) {

    private static final Set<String> DOC_VALUES = Set.of("dvd", "dvm", "dvs");
    /** Flat vectors, their HNSW graph, and a quantised copy when the codec keeps one. */
    private static final Set<String> KNN_VECTORS = Set.of("vec", "vemf", "vex", "vem", "veq", "vemq");

    public IndexSize {
        bytesByExtension = Map.copyOf(bytesByExtension);
    }

    /**
     * The sizes of the files in {@code directory}. A compound file ({@code .cfs}) would hide which data it holds,
     * so it is refused: write the index with {@code IndexWriterConfig.setUseCompoundFile(false)} and a merge
     * policy whose {@code noCFSRatio} is 0.
     */
    public static IndexSize of(Directory directory) throws IOException {
        Map<String, Long> bytes = new TreeMap<>();
        for (String file : directory.listAll()) {
            int dot = file.lastIndexOf('.');
            String extension = dot < 0 ? "" : file.substring(dot + 1);
            if (extension.equals("cfs")) {
                throw new IllegalStateException("compound file " + file + " hides its parts: write the index without compound files");
            }
            bytes.merge(extension, directory.fileLength(file), Long::sum);
        }
        return new IndexSize(bytes);
    }

    public long total() {
        return bytesByExtension.values().stream().mapToLong(Long::longValue).sum();
    }

    public long docValues() {
        return sum(DOC_VALUES);
    }

    public long knnVectors() {
        return sum(KNN_VECTORS);
    }

    private long sum(Set<String> extensions) {
        return bytesByExtension.entrySet().stream().filter(e -> extensions.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }
}
