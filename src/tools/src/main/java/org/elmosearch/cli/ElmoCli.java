package org.elmosearch.cli;

import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@code elmo} command line ({@code bin/elmo}): {@code embed}, {@code convert}, {@code synth}, {@code fit}, {@code bench}, {@code eval} and {@code upload}. A new
 * subcommand is one {@link Command} class added to {@link #COMMANDS}.
 *
 * <p>Exit codes: 0 success, 1 the work failed (unreadable model, I/O error, ...), 2 the command line is wrong.
 * Every failure is one line on stderr that names the flag or file at fault.
 */
public final class ElmoCli {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private static final List<Command> COMMANDS = List.of(new EmbedCommand(), new ConvertCommand(), new SynthCommand(), new FitCommand(), new BenchCommand(),
            new EvalCommand(), new UploadCommand());

    private ElmoCli() {
    }

    public static void main(String[] args) {
        // jhdf logs through SLF4J, which warns on stderr that no logging backend is bound: noise for a CLI.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command line, writing to the given streams instead of the process's; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(overview());
            return USAGE;
        }
        String first = args[0];
        if (isHelp(first) || first.equals("help")) {
            if (first.equals("help") && args.length > 1) {
                Optional<Command> command = find(args[1]);
                if (command.isEmpty()) {
                    return usageError(err, "elmo", "unknown command '" + args[1] + "'");
                }
                out.print(Help.of(command.get()));
            } else {
                out.print(overview());
            }
            return OK;
        }
        Optional<Command> found = find(first);
        if (found.isEmpty()) {
            return usageError(err, "elmo", "unknown command '" + first + "' (commands: " + names() + ")");
        }
        Command command = found.get();
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.stream().anyMatch(ElmoCli::isHelp)) {
            out.print(Help.of(command));
            return OK;
        }
        String prefix = "elmo " + command.name();
        try {
            return command.run(Arguments.parse(command.flags(), rest), out, err);
        } catch (UsageException e) {
            return usageError(err, prefix, e.getMessage());
        } catch (Exception | OutOfMemoryError e) {
            err.println(prefix + ": " + describe(e));
            return FAILED;
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    private static Optional<Command> find(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private static String names() {
        return String.join(", ", COMMANDS.stream().map(Command::name).toList());
    }

    private static int usageError(PrintStream err, String prefix, String message) {
        err.println(prefix + ": " + message + " (see --help)");
        return USAGE;
    }

    /** A one-line account of a failure; file-system exceptions often carry only the file name. */
    private static String describe(Throwable e) {
        if (e instanceof FileSystemException fs && fs.getReason() == null) {
            String problem = switch (fs) {
                case NoSuchFileException x -> "not found";
                case AccessDeniedException x -> "permission denied";
                case FileAlreadyExistsException x -> "already exists";
                default -> fs.getClass().getSimpleName();
            };
            return fs.getFile() + ": " + problem;
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory; give Java more (JAVA_OPTS=-Xmx...) or lower --batch";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getName() : message;
    }

    private static String overview() {
        StringBuilder text = new StringBuilder("""
                usage: elmo <command> [flags]

                ELMo contextual embeddings computed with ONNX Runtime.

                commands:
                """);
        for (Command command : COMMANDS) {
            text.append(String.format("  %-9s %s%n", command.name(), command.summary()));
        }
        text.append("\nRun 'elmo <command> --help' for a command's flags.\n");
        return text.toString();
    }
}
