package org.elmosearch.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flags given to one command, checked against the flags it declares. Accepts {@code --flag value} and
 * {@code --flag=value}; rejects unknown flags, positional arguments and flags given twice, so that a typo never
 * silently falls back to a default.
 */
final class Arguments {

    private final Map<String, String> values;

    private Arguments(Map<String, String> values) {
        this.values = values;
    }

    static Arguments parse(List<Flag> declared, List<String> args) throws UsageException {
        Map<String, Flag> byName = new HashMap<>();
        declared.forEach(f -> byName.put(f.name(), f));
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (every argument is a --flag)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            Flag flag = byName.get(name);
            if (flag == null) {
                throw new UsageException("unknown flag " + name);
            }
            String value;
            if (!flag.takesValue()) {
                if (equals >= 0) {
                    throw new UsageException(name + " takes no value");
                }
                value = "";
            } else if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                throw new UsageException(name + " needs a value (" + flag.valueName() + ")");
            }
            if (values.put(name, value) != null) {
                throw new UsageException(name + " is given twice");
            }
        }
        return new Arguments(values);
    }

    boolean has(String flag) {
        return values.containsKey(flag);
    }

    Optional<String> optional(String flag) {
        return Optional.ofNullable(values.get(flag));
    }

    String required(String flag) throws UsageException {
        String value = values.get(flag);
        if (value == null) {
            throw new UsageException(flag + " is required");
        }
        return value;
    }

    /** The flag's integer value, {@code fallback} when absent; it must be at least {@code min}. */
    int integer(String flag, int fallback, int min) throws UsageException {
        String value = values.get(flag);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the accepted range
        }
        throw new UsageException(flag + " must be an integer >= " + min + ", got '" + value + "'");
    }

    /**
     * The flag's finite number, {@code fallback} when absent; it must lie from {@code min} to {@code max}
     * ({@code max} infinite for no upper bound).
     */
    double number(String flag, double fallback, double min, double max) throws UsageException {
        String value = values.get(flag);
        if (value == null) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.strip());
            if (Double.isFinite(parsed) && parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the accepted range
        }
        String range = Double.isInfinite(max) ? ">= " + plain(min) : "from " + plain(min) + " to " + plain(max);
        throw new UsageException(flag + " must be a number " + range + ", got '" + value + "'");
    }

    private static String plain(double bound) {
        return java.math.BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    long longInteger(String flag, long fallback) throws UsageException {
        String value = values.get(flag);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " must be an integer, got '" + value + "'");
        }
    }

    /** A path to write to; its parent folders are created by whoever writes. */
    Path outputPath(String flag) throws UsageException {
        return path(flag, required(flag));
    }

    /** A file that must exist now; not necessarily a regular one, so that {@code /dev/stdin} works. */
    Path existingFile(String flag) throws UsageException {
        Path path = path(flag, required(flag));
        if (!Files.exists(path)) {
            throw new UsageException(flag + ": file not found: " + path);
        }
        if (Files.isDirectory(path)) {
            throw new UsageException(flag + ": is a directory, not a file: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new UsageException(flag + ": file not readable: " + path);
        }
        return path;
    }

    /** A folder that must exist now. */
    Path existingDirectory(String flag) throws UsageException {
        Path path = path(flag, required(flag));
        if (!Files.isDirectory(path)) {
            throw new UsageException(flag + ": " + (Files.exists(path) ? "not a folder: " : "folder not found: ") + path);
        }
        return path;
    }

    private static Path path(String flag, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(flag + " needs a path, got an empty one");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException(flag + ": not a valid path: " + value);
        }
    }
}
