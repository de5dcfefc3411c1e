package org.elmosearch.node;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** A model id names a directory directly under the models directory, and nothing else. */
public final class ModelId {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private ModelId() {
    }

    /**
     * Checks that {@code id} is a plain name, before a request is sent to the nodes that resolve it.
     *
     * @throws IllegalArgumentException (a 400) for anything else: separators, {@code ..}, empty
     */
    public static void check(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("[model_id] is required");
        }
        if (!PLAIN.matcher(id).matches() || id.contains("..")) {
            throw new IllegalArgumentException("[model_id] must be a plain name (letters, digits, '_', '-', '.'; no path), got [" + id + "]");
        }
    }

    /**
     * The model's directory, after checking that {@code id} is a plain name that stays inside {@code root}.
     *
     * @throws IllegalArgumentException (a 400) for anything else: separators, {@code ..}, absolute paths, empty
     */
    public static Path resolve(Path root, String id) {
        check(id);
        Path base = root.toAbsolutePath().normalize();
        Path dir = base.resolve(id).normalize();
        if (!base.equals(dir.getParent())) {
            throw new IllegalArgumentException("[model_id] [" + id + "] resolves outside the models directory");
        }
        return dir;
    }
}
