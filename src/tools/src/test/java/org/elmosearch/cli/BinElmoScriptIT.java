package org.elmosearch.cli;

import org.elmosearch.RepositoryFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the real {@code bin/elmo} launcher from a folder outside the repository. An integration test (failsafe,
 * {@code mvn verify}) so that it runs after {@code package} on the jar just built; skipped where that jar is
 * missing, since the script would otherwise start a Maven build inside the test.
 */
class BinElmoScriptIT {

    private static Path script;

    @BeforeAll
    static void findScriptAndJar() throws IOException {
        Path root = RepositoryFiles.rootOrSkip("bin/elmo");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(root.resolve("src/tools/target"), "elmo-search-tools-*-cli.jar")) {
            Assumptions.assumeTrue(jars.iterator().hasNext(), "the cli jar is not built (mvn package): skipping the bin/elmo smoke test");
        } catch (java.nio.file.NoSuchFileException e) {
            Assumptions.abort("src/tools/target does not exist: skipping the bin/elmo smoke test");
        }
        script = root.resolve("bin/elmo");
    }

    record Run(int code, String out, String err) {
    }

    private static Run elmo(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(cwd, "out", ".txt");
        Path stderr = Files.createTempFile(cwd, "err", ".txt");
        Process process = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "bin/elmo " + String.join(" ", args) + " did not finish");
        return new Run(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
    }

    @Test
    void synthesizesAndEmbedsFromAnotherDirectory(@TempDir Path cwd) throws Exception {
        Run synth = elmo(cwd, "synth", "--preset", "tiny", "--out", "model");
        assertEquals(0, synth.code(), synth.err());
        Files.writeString(cwd.resolve("in.txt"), "Hello world .\n");
        Run embed = elmo(cwd, "embed", "--options", "model/options.json", "--weights", "model/weights.hdf5",
                "--input", "in.txt", "--output", "pooled", "--pretokenized");
        assertEquals(0, embed.code(), embed.err());
        assertTrue(embed.out().startsWith("{\"tokens\":[\"Hello\",\"world\",\".\"],\"vector\":["), embed.out());
        assertEquals(List.of("embedded 1 lines (3 tokens)"), embed.err().lines().map(l -> l.replaceAll(" in .*", "")).toList());
    }

    @Test
    void usageErrorsExitWith2AndHelpWith0(@TempDir Path cwd) throws Exception {
        Run missing = elmo(cwd, "embed", "--input", "in.txt");
        assertEquals(2, missing.code());
        assertEquals("elmo embed: --output is required (see --help)", missing.err().strip());
        Run help = elmo(cwd, "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().startsWith("usage: elmo"), help.out());
    }
}
