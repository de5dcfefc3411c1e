package org.elmosearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the shared data folder ({@code shared/}, holding {@code elmo-fixtures/}), which lives beside the repository
 * checkout or inside it, whatever folder the tests run in. Tests that need it are skipped where it is absent.
 */
public final class SharedData {

    private static final String MARKER = "elmo-fixtures";

    private SharedData() {
    }

    /** The {@code shared/} folder of the nearest folder, from the working folder upwards, that has one. */
    public static Optional<Path> root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path shared = dir.resolve("shared");
            if (Files.isDirectory(shared.resolve(MARKER))) {
                return Optional.of(shared);
            }
        }
        return Optional.empty();
    }

    /** {@code shared/<relative>}, or skips the calling test when it does not exist. */
    public static Path requireOrSkip(String relative) {
        Optional<Path> path = root().map(shared -> shared.resolve(relative)).filter(Files::exists);
        Assumptions.assumeTrue(path.isPresent(), "../shared/" + relative + " not found: skipping");
        return path.get();
    }
}
