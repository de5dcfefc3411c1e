package org.elmosearch.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BeirDatasetTest {

    @TempDir
    Path dir;

    private void write(String corpus, String queries, String qrels) throws IOException {
        Files.writeString(dir.resolve("corpus.jsonl"), corpus);
        Files.writeString(dir.resolve("queries.jsonl"), queries);
        Files.createDirectories(dir.resolve("qrels"));
        Files.writeString(dir.resolve("qrels/test.tsv"), qrels);
    }

    @Test
    void loadsTheCorpusAndTheJudgedQueriesWithTheirGrades() throws IOException {
        write("""
                {"_id": "p1", "title": "Rivers", "text": "The bank of the river."}
                {"_id": "p2", "text": "Money in the bank.", "metadata": {}}

                {"_id": 3, "title": null, "text": "Numeric ids are read as text."}
                """, """
                {"_id": "q1", "text": "river bank", "answers": ["bank"]}
                {"_id": "q2", "text": "not judged in test.tsv"}
                {"_id": "q3", "text": "money"}
                """, "query-id\tcorpus-id\tscore\nq1\tp1\t2\nq1\tp2\t0\nq3\tp2\t1\nq9\tp1\t1\n");
        BeirDataset data = BeirDataset.load(dir);

        assertEquals(List.of("p1", "p2", "3"), data.corpus().stream().map(BeirDataset.Passage::id).toList());
        assertEquals("Rivers\nThe bank of the river.", data.corpus().get(0).body());
        assertEquals("Money in the bank.", data.corpus().get(1).body());
        assertEquals(List.of("q1", "q3"), data.queries().stream().map(BeirDataset.Query::id).toList());
        assertEquals(Map.of("q1", Map.of("p1", 2, "p2", 0), "q3", Map.of("p2", 1)), data.qrels());

        BeirDataset first = data.withFirstQueries(1);
        assertEquals(List.of("q1"), first.queries().stream().map(BeirDataset.Query::id).toList());
        assertEquals(3, first.corpus().size());
        assertEquals(data.queries(), data.withFirstQueries(50).queries());

        BeirDataset even = data.withQuerySplit(BeirDataset.QuerySplit.EVEN);
        BeirDataset odd = data.withQuerySplit(BeirDataset.QuerySplit.ODD);
        assertEquals(List.of("q1"), even.queries().stream().map(BeirDataset.Query::id).toList());
        assertEquals(List.of("q3"), odd.queries().stream().map(BeirDataset.Query::id).toList());
        assertEquals(Map.of("q3", Map.of("p2", 1)), odd.qrels());
        assertEquals(data, data.withQuerySplit(BeirDataset.QuerySplit.ALL));
    }

    @Test
    void brokenFilesNameTheLineAtFault() throws IOException {
        write("{\"_id\": \"p1\", \"text\": \"a\"}\n{\"text\": \"no id\"}\n", "{\"_id\": \"q1\", \"text\": \"a\"}\n", "q1\tp1\t1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BeirDataset.load(dir));
        assertTrue(e.getMessage().endsWith("corpus.jsonl:2: no \"_id\""), e.getMessage());

        write("{\"_id\": \"p1\", \"text\": \"a\"}\n", "{\"_id\": \"q1\", \"text\": \"a\"}\n", "query-id\tcorpus-id\tscore\nq1\tp1\tyes\n");
        e = assertThrows(IllegalArgumentException.class, () -> BeirDataset.load(dir));
        assertTrue(e.getMessage().endsWith("test.tsv:2: score is not an integer: yes"), e.getMessage());

        write("{\"_id\": \"p1\", \"text\": \"a\"}\n", "{\"_id\": \"q1\", \"text\": \" \"}\n", "q1\tp1\t1\n");
        e = assertThrows(IllegalArgumentException.class, () -> BeirDataset.load(dir));
        assertTrue(e.getMessage().endsWith("queries.jsonl:1: query q1 has no text"), e.getMessage());

        write("{\"_id\": \"p1\", \"text\": \"a\"}\n[1, 2]\n", "", "");
        e = assertThrows(IllegalArgumentException.class, () -> BeirDataset.load(dir));
        assertTrue(e.getMessage().endsWith("corpus.jsonl:2: not a JSON object"), e.getMessage());

        write("{\"_id\": \"p1\", \"text\": \"a\"}\n{\"_id\": \"p1\", \"text\": \"b\"}\n", "", "");
        e = assertThrows(IllegalArgumentException.class, () -> BeirDataset.load(dir));
        assertTrue(e.getMessage().endsWith("corpus.jsonl:2: passage id p1 appears twice"), e.getMessage());

        write("{\"_id\": \"p1\", \"text\": \"a\"}\n", "", "");
        Files.delete(dir.resolve("qrels/test.tsv"));
        assertThrows(NoSuchFileException.class, () -> BeirDataset.load(dir));
    }
}
