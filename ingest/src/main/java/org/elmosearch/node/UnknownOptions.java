package org.elmosearch.node;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The one way the plugin refuses an option it does not know, wherever options are read (pipeline definitions,
 * {@code settings.json}, request bodies): {@code [where] unknown option [x]; allowed: [a, b, c]}, the first unknown
 * option named, then every allowed one in the order they are documented.
 */
public final class UnknownOptions {

    private UnknownOptions() {
    }

    /** @param where what holds the option: a processor type, a file, an endpoint, a search extension */
    public static String message(String where, String option, List<String> allowed) {
        return "[" + where + "] unknown option [" + option + "]; allowed: " + allowed;
    }

    /** The first of {@code keys} that {@code allowed} lacks, in sorted order so that a map's order does not matter; null for none. */
    public static String first(Collection<String> keys, List<String> allowed) {
        TreeSet<String> unknown = new TreeSet<>(keys);
        allowed.forEach(unknown::remove);
        return unknown.isEmpty() ? null : unknown.first();
    }
}
