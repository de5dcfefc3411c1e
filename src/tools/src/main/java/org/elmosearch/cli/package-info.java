/**
 * The {@code elmo} command line ({@code bin/elmo}, {@link org.elmosearch.cli.ElmoCli}): one {@link
 * org.elmosearch.cli.Command} class per subcommand ({@code embed}, {@code convert}, {@code synth}, {@code fit},
 * {@code bench}, {@code eval}, ...), the flag parsing that refuses unknown or repeated flags, and the usage text made
 * from each command's declared flags.
 */
package org.elmosearch.cli;
