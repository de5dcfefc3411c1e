package org.elmosearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.elmosearch.rank.TokenStatisticsFitter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The texts of a corpus for {@code elmo fit}: a BEIR {@code corpus.jsonl} (each line's title and text, as the
 * evaluation indexes them), a text file (one text per line), or a folder of {@code .txt} files (each file split into
 * paragraphs at blank lines).
 */
final class CorpusTexts implements TokenStatisticsFitter.Corpus {

    private enum Layout { BEIR_JSONL, LINES, FOLDER }

    private final Path path;
    private final Layout layout;
    private final List<Path> files;

    private CorpusTexts(Path path, Layout layout, List<Path> files) {
        this.path = path;
        this.layout = layout;
        this.files = files;
    }

    /** @throws IOException naming the path when it is missing, unreadable, or a folder without .txt files */
    static CorpusTexts open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(path)) {
                files = walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".txt")).sorted().toList();
            } catch (IOException | UncheckedIOException e) {
                IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                throw new IOException("corpus " + path + ": cannot list its files: " + cause.getMessage(), cause);
            }
            if (files.isEmpty()) {
                throw new IOException("corpus " + path + ": a folder without .txt files");
            }
            return new CorpusTexts(path, Layout.FOLDER, files);
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "corpus not found");
        }
        if (!Files.isRegularFile(path)) {
            // A pipe could be read only once, and fit reads the corpus twice.
            throw new IOException("corpus " + path + ": not a file or a folder (fit reads the corpus twice, so it cannot be a pipe)");
        }
        if (!Files.isReadable(path)) {
            throw new IOException("corpus " + path + ": permission denied");
        }
        boolean jsonl = path.getFileName().toString().endsWith(".jsonl");
        return new CorpusTexts(path, jsonl ? Layout.BEIR_JSONL : Layout.LINES, List.of(path));
    }

    @Override
    public Stream<String> texts() throws IOException {
        return switch (layout) {
            case LINES -> lines(path).filter(line -> !line.isBlank());
            case BEIR_JSONL -> beirTexts();
            case FOLDER -> files.stream().flatMap(file -> {
                try {
                    return paragraphs(file).stream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        };
    }

    private static Stream<String> lines(Path file) throws IOException {
        BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        return reader.lines().onClose(() -> {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Title and text of each object, joined as {@code BeirDataset.Passage#body} joins them. */
    private Stream<String> beirTexts() throws IOException {
        ObjectMapper json = new ObjectMapper();
        int[] number = {0};
        return lines(path).map(line -> {
            number[0]++;
            if (line.isBlank()) {
                return "";
            }
            try {
                JsonNode object = json.readTree(line);
                String title = object.path("title").asText("");
                String text = object.path("text").asText("");
                return title.isEmpty() ? text : title + "\n" + text;
            } catch (IOException e) {
                throw new UncheckedIOException(new IOException("corpus " + path + " line " + number[0] + ": not a JSON object: "
                        + e.getMessage(), e));
            }
        }).filter(text -> !text.isBlank());
    }

    /** A file's paragraphs: runs of non-blank lines, joined by spaces. */
    private static List<String> paragraphs(Path file) throws IOException {
        List<String> paragraphs = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        try (Stream<String> lines = lines(file)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    if (!paragraph.isEmpty()) {
                        paragraphs.add(paragraph.toString());
                        paragraph.setLength(0);
                    }
                } else {
                    if (!paragraph.isEmpty()) {
                        paragraph.append(' ');
                    }
                    paragraph.append(line.strip());
                }
            }
        } catch (UncheckedIOException e) {
            throw new IOException("corpus file " + file + ": " + e.getCause().getMessage(), e.getCause());
        }
        if (!paragraph.isEmpty()) {
            paragraphs.add(paragraph.toString());
        }
        return paragraphs;
    }
}
