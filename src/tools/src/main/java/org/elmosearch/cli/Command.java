package org.elmosearch.cli;

import java.io.PrintStream;
import java.util.List;

/** A subcommand of {@code elmo}: its flags, its help, and what it does. */
interface Command {

    /** The word that selects it, e.g. {@code embed}. */
    String name();

    /** One line for the list of commands. */
    String summary();

    /** What the flags do together, printed under the flag list; empty for nothing more to say. */
    String details();

    List<Flag> flags();

    /**
     * Runs the command. Data goes to {@code out}, progress and diagnostics to {@code err}.
     *
     * @return the exit code
     * @throws UsageException when the flags are wrong in a way parsing alone cannot tell (exit code 2)
     * @throws Exception      when the work itself fails (exit code 1)
     */
    int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception;
}
