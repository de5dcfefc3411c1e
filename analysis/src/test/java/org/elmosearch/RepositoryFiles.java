package org.elmosearch;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds this repository's own files ({@code bin/elmo}, {@code src/trainer}, {@code src/demo}) whatever folder the
 * tests run in: Maven runs them in the module folder, an IDE perhaps elsewhere.
 */
public final class RepositoryFiles {

    private RepositoryFiles() {
    }

    /** The nearest folder, from the working folder upwards, that holds {@code marker}; skips the calling test if none does. */
    public static Path rootOrSkip(String marker) {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(marker))) {
                return dir;
            }
        }
        Assumptions.abort(marker + " not found above " + here + ": skipping");
        throw new AssertionError("unreachable: abort throws");
    }
}
