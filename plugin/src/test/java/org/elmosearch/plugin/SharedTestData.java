package org.elmosearch.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.Assume.assumeTrue;

/**
 * Finds the shared data folder ({@code shared/}, holding {@code elmo-fixtures/}) beside or inside the checkout, as
 * analysis' {@code SharedData} does for its JUnit 5 tests. Where it is missing a test is skipped on a developer
 * machine, but fails under {@code CI=true}, where a skip would hide that the check never ran.
 */
final class SharedTestData {

    private static final String MARKER = "elmo-fixtures";

    private SharedTestData() {
    }

    /** {@code shared/<relative>}; skips the calling test (fails it under {@code CI=true}) when it does not exist. */
    static Path requireOrSkip(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path shared = dir.resolve("shared");
            if (Files.isDirectory(shared.resolve(MARKER))) {
                Optional<Path> path = Optional.of(shared.resolve(relative)).filter(Files::exists);
                if (path.isPresent()) {
                    return path.get();
                }
                break;
            }
        }
        String missing = "../shared/" + relative + " not found from " + Path.of("").toAbsolutePath();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(missing + ": CI=true needs the shared test data");
        }
        assumeTrue(missing + ": skipping", false);
        throw new AssertionError("unreachable");
    }
}
