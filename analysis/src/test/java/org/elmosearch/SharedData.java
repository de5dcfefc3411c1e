package org.elmosearch;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the project's reference data, {@code ../shared} beside the repository, from a test's working directory
 * (a module directory). Tests that need it skip, saying so, where it is absent.
 */
public final class SharedData {

    private SharedData() {
    }

    public static Optional<Path> root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("elmo-fixtures"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The path below {@code ../shared}, or skips the calling test when it is not there. */
    public static Path requireOrSkip(String relative) {
        Optional<Path> path = root().map(r -> r.resolve(relative)).filter(Files::exists);
        Assumptions.assumeTrue(path.isPresent(), "../shared/" + relative + " not found: skipping (reference data absent)");
        return path.orElseThrow();
    }
}
