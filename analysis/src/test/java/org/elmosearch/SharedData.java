package org.elmosearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.opentest4j.TestAbortedException;

/**
 * Finds the shared data folder ({@code shared/}, holding {@code elmo-fixtures/}), which lives beside the repository
 * checkout or inside it, whatever folder the tests run in. Where a file is missing, a test is skipped on a
 * developer's machine but fails under {@code CI=true} (which {@code .ci/run} sets), where a skip would hide that a
 * conformance check never ran.
 */
public final class SharedData {

    private static final String MARKER = "elmo-fixtures";

    private SharedData() {
    }

    /** {@code shared/<relative>}, or skips the calling JUnit 5 test (fails it under {@code CI=true}). */
    public static Path requireOrSkip(String relative) {
        // A method reference, not a lambda: the plugin's JUnit 4 tests load this class without JUnit 5 on their
        // class path, and a lambda's body would be verified (and its exception class looked up) with the class.
        return require(relative, TestAbortedException::new);
    }

    /**
     * {@code shared/<relative>}; where it is missing, throws {@code skip}'s exception for a test framework's skip, or
     * an {@link AssertionError} under {@code CI=true}.
     */
    public static Path require(String relative, Function<String, ? extends RuntimeException> skip) {
        Optional<Path> path = root().map(shared -> shared.resolve(relative)).filter(Files::exists);
        if (path.isPresent()) {
            return path.get();
        }
        String missing = "../shared/" + relative + " not found from " + Path.of("").toAbsolutePath();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(missing + ": CI=true needs the shared test data");
        }
        throw skip.apply(missing + ": skipping");
    }

    /** The {@code shared/} folder of the nearest folder, from the working folder upwards, that has one. */
    private static Optional<Path> root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path shared = dir.resolve("shared");
            if (Files.isDirectory(shared.resolve(MARKER))) {
                return Optional.of(shared);
            }
        }
        return Optional.empty();
    }
}
