package org.elmosearch.cli;

/** A command line that cannot be run as written: a missing, unknown or malformed flag. Exit code 2. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
