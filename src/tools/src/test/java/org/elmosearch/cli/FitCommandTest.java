package org.elmosearch.cli;

import org.elmosearch.analysis.Token;
import org.elmosearch.cli.ElmoCliTest.Result;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.model.ModelDirectory;
import org.elmosearch.rank.TokenStatistics;
import org.elmosearch.rank.TokenStatisticsFitter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.elmosearch.cli.ElmoCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code elmo fit} in-process on a tiny random model: the three corpus layouts, the folder it writes, bad input. */
class FitCommandTest {

    @TempDir
    static Path dir;
    private static Path tiny;

    @BeforeAll
    static void writeModel() {
        tiny = dir.resolve("tiny");
        Result synth = run("synth", "--preset", "tiny", "--seed", "3", "--out", tiny.toString());
        assertEquals(0, synth.code(), synth.err());
    }

    private static Result fit(Path corpus, Path out, String... more) {
        String[] args = {"fit", "--model", tiny.toString(), "--corpus", corpus.toString(), "--out", out.toString(), "--threads", "1"};
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return run(all);
    }

    @Test
    void aTextFileGivesAModelFolderThatLoadsWithItsStatistics() throws IOException {
        Path corpus = Files.writeString(dir.resolve("lines.txt"), "the river bank was muddy\n\nthe bank raised its rates\nherons fish by the river\n");
        Path out = dir.resolve("fitted-lines");
        Result result = fit(corpus, out);
        assertEquals(0, result.code(), result.err());
        assertTrue(result.err().contains("counted 3 texts"), result.err());
        ModelDirectory loaded = ModelDirectory.load(out, null);
        TokenStatistics statistics = loaded.statistics();
        assertNotNull(statistics);
        assertEquals(3, statistics.documents());
        assertEquals(3, statistics.documentFrequency("the"));
        assertEquals(2, statistics.documentFrequency("river"));
        assertEquals(loaded.model().options().outputDim(), statistics.dimension());
        assertEquals(corpus.toString(), statistics.source().corpus());
        assertTrue(Files.isRegularFile(out.resolve(ModelDirectory.OPTIONS_FILE)) && Files.isRegularFile(out.resolve(ModelDirectory.WEIGHTS_FILE)));
    }

    @Test
    void aBeirCorpusCountsTitleAndTextAndAFolderItsParagraphs() throws IOException {
        Path jsonl = Files.writeString(dir.resolve("corpus.jsonl"), """
                {"_id": "a", "title": "Rivers", "text": "Herons fish in rivers."}
                {"_id": "b", "title": "", "text": "Banks lend money."}
                """);
        Result beir = fit(jsonl, dir.resolve("fitted-beir"));
        assertEquals(0, beir.code(), beir.err());
        assertEquals(1, ModelDirectory.load(dir.resolve("fitted-beir"), null).statistics().documentFrequency("rivers"));

        Path books = Files.createDirectories(dir.resolve("books/austen"));
        Files.writeString(books.resolve("one.txt"), "It is a truth\nuniversally acknowledged.\n\nA second paragraph.\n");
        Files.writeString(books.resolve("notes.md"), "not read");
        Result folder = fit(dir.resolve("books"), dir.resolve("fitted-books"));
        assertEquals(0, folder.code(), folder.err());
        assertEquals(2, ModelDirectory.load(dir.resolve("fitted-books"), null).statistics().documents());
    }

    @Test
    void fittingIntoTheModelFolderItselfReplacesEvenADamagedStatisticsFile() throws IOException {
        Path copy = dir.resolve("in-place");
        ModelDirectory.copyModelFiles(tiny, copy);
        Files.writeString(copy.resolve(TokenStatistics.FILE_NAME), "{\"format\": \"elmo-search token stat");
        assertThrows(IOException.class, () -> ModelDirectory.load(copy, null));
        Result result = fit(Files.writeString(dir.resolve("one.txt"), "a few words here\nand there\n"), copy);
        assertEquals(0, result.code(), result.err());
        assertNotNull(ModelDirectory.load(copy, null).statistics());
        assertTrue(Files.notExists(copy.resolve(TokenStatistics.FILE_NAME + ".partial")));
    }

    @Test
    void aMissingEmptyOrUnreadableCorpusIsNamed() throws IOException {
        Result missing = fit(dir.resolve("nowhere.txt"), dir.resolve("x"));
        assertEquals(ElmoCli.FAILED, missing.code());
        assertTrue(missing.err().contains(dir.resolve("nowhere.txt") + ": corpus not found"), missing.err());

        Result empty = fit(Files.writeString(dir.resolve("empty.txt"), "\n  \n"), dir.resolve("x"));
        assertEquals(ElmoCli.FAILED, empty.code());
        assertTrue(empty.err().contains("corpus " + dir.resolve("empty.txt") + " holds no text"), empty.err());

        Path noText = Files.createDirectories(dir.resolve("no-text"));
        Files.writeString(noText.resolve("a.csv"), "1,2");
        Result folder = fit(noText, dir.resolve("x"));
        assertEquals(ElmoCli.FAILED, folder.code());
        assertTrue(folder.err().contains("corpus " + noText + ": a folder without .txt files"), folder.err());

        Path binary = Files.write(dir.resolve("binary.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 'a', '\n'});
        Result notUtf8 = fit(binary, dir.resolve("x"));
        assertEquals(ElmoCli.FAILED, notUtf8.code());
        assertTrue(notUtf8.err().contains("corpus " + binary + ": cannot be read"), notUtf8.err());
    }

    @Test
    void statisticsOfAnotherShapeMakeTheFolderFailToLoadNamingBothShapes() throws IOException {
        TokenStatisticsFitter sixWide = new TokenStatisticsFitter(ScalarMix.average(3), 6);
        sixWide.addVectors(new float[][] {{1, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, {0, 0, 1, 1, 0, 0}});
        sixWide.countText(List.of(new Token("word", 0, 4)));
        Path other = dir.resolve("mismatch");
        ModelDirectory.copyModelFiles(tiny, other);
        sixWide.fit(0, "elsewhere").write(other.resolve(TokenStatistics.FILE_NAME));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(other, null));
        assertEquals(other.resolve(TokenStatistics.FILE_NAME) + ": " + TokenStatistics.FILE_NAME
                + " describes 6-dimensional token vectors but the model makes 32-dimensional ones: fit it again for this model", e.getMessage());
    }

    @Test
    void badFlagsAreUsageErrors() {
        Result shrinkage = fit(dir.resolve("any.txt"), dir.resolve("x"), "--shrinkage", "-1");
        assertEquals(ElmoCli.USAGE, shrinkage.code());
        assertTrue(shrinkage.err().contains("--shrinkage must be a number >= 0"), shrinkage.err());
        Result noCorpus = run("fit", "--model", tiny.toString(), "--out", dir.resolve("x").toString());
        assertEquals(ElmoCli.USAGE, noCorpus.code());
        assertTrue(noCorpus.err().contains("--corpus is required"), noCorpus.err());
    }
}
