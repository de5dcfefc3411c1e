package org.elmosearch.cli;

/**
 * One flag of a command.
 *
 * @param name      with its leading dashes, e.g. {@code --input}
 * @param valueName what its value is called in the usage text, e.g. {@code FILE}; null for a switch
 * @param help      one line for the usage text
 */
record Flag(String name, String valueName, String help) {

    Flag {
        if (!name.startsWith("--")) {
            throw new IllegalArgumentException("flag names start with --, got " + name);
        }
    }

    static Flag value(String name, String valueName, String help) {
        return new Flag(name, valueName, help);
    }

    static Flag toggle(String name, String help) {
        return new Flag(name, null, help);
    }

    boolean takesValue() {
        return valueName != null;
    }

    String synopsis() {
        return takesValue() ? name + " " + valueName : name;
    }
}
