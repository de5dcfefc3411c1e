package org.elmosearch.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The process's resident anonymous memory, where ONNX Runtime's allocations land: {@code RssAnon} of
 * {@code /proc/self/status} (Linux). Anonymous only, so that index files paged in by searches meanwhile do not count.
 */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final String FIELD = "RssAnon:";

    private ResidentMemory() {
    }

    /** Empty where the file cannot be read (not Linux, or not allowed) or lacks the field. */
    static OptionalLong anonymousBytes() {
        try {
            return parse(Files.readAllLines(STATUS));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The {@code RssAnon: <n> kB} line of a status file, in bytes. */
    static OptionalLong parse(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith(FIELD)) {
                String[] parts = line.substring(FIELD.length()).trim().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB")) {
                    try {
                        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
            }
        }
        return OptionalLong.empty();
    }
}
