package org.elmosearch.cli;

/** The usage text of a command, made from the flags it declares so that the two cannot drift apart. */
final class Help {

    private Help() {
    }

    static String of(Command command) {
        StringBuilder text = new StringBuilder("usage: elmo ").append(command.name()).append(" [flags]\n\n")
                .append(command.summary()).append("\n\nflags:\n");
        int width = command.flags().stream().mapToInt(f -> f.synopsis().length()).max().orElse(0);
        for (Flag flag : command.flags()) {
            text.append(String.format("  %-" + width + "s  %s%n", flag.synopsis(), flag.help()));
        }
        if (!command.details().isEmpty()) {
            text.append('\n').append(command.details().strip()).append('\n');
        }
        return text.toString();
    }
}
