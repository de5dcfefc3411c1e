package org.elmosearch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A retrieval test set in the BEIR layout: {@code corpus.jsonl} ({@code _id}, {@code title}, {@code text}),
 * {@code queries.jsonl} ({@code _id}, {@code text}) and {@code qrels/test.tsv} ({@code query-id corpus-id score},
 * tab-separated, after a header line). Only queries judged in the qrels are kept, in file order, as BEIR
 * evaluates them.
 *
 * @param corpus  the passages, in file order
 * @param queries the judged queries, in file order
 * @param qrels   per query id, the grade of each judged passage id; a grade above 0 is relevant
 */
public record BeirDataset(List<Passage> corpus, List<Query> queries, Map<String, Map<String, Integer>> qrels) {

    public record Passage(String id, String title, String text) {

        /** What is indexed and embedded: the title, if any, then the text. */
        public String body() {
            return title.isEmpty() ? text : title + "\n" + text;
        }
    }

    public record Query(String id, String text) {
    }

    public BeirDataset {
        corpus = List.copyOf(corpus);
        queries = List.copyOf(queries);
        qrels = Map.copyOf(qrels);
        for (Query query : queries) {
            if (!qrels.containsKey(query.id())) {
                throw new IllegalArgumentException("query " + query.id() + " has no relevance judgements");
            }
        }
    }

    public static BeirDataset load(Path dir) throws IOException {
        List<Passage> corpus = new ArrayList<>();
        Set<String> passageIds = new HashSet<>();
        readJsonLines(dir.resolve("corpus.jsonl"), (object, where) -> {
            Passage passage = new Passage(id(object, where), string(object, "title"), string(object, "text"));
            if (!passageIds.add(passage.id())) {
                throw new IllegalArgumentException(where + ": passage id " + passage.id() + " appears twice");
            }
            corpus.add(passage);
        });
        Map<String, Map<String, Integer>> qrels = readQrels(dir.resolve("qrels").resolve("test.tsv"));
        List<Query> queries = new ArrayList<>();
        readJsonLines(dir.resolve("queries.jsonl"), (object, where) -> {
            Query query = new Query(id(object, where), string(object, "text"));
            if (query.text().isBlank()) {
                throw new IllegalArgumentException(where + ": query " + query.id() + " has no text");
            }
            if (qrels.containsKey(query.id())) {
                queries.add(query);
            }
        });
        Set<String> judged = new HashSet<>(queries.stream().map(Query::id).toList());
        qrels.keySet().retainAll(judged);
        return new BeirDataset(corpus, queries, qrels);
    }

    /** The same corpus with only the first {@code limit} queries. */
    public BeirDataset withFirstQueries(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        List<Query> first = queries.subList(0, Math.min(limit, queries.size()));
        Map<String, Map<String, Integer>> kept = new LinkedHashMap<>();
        first.forEach(q -> kept.put(q.id(), qrels.get(q.id())));
        return new BeirDataset(corpus, first, kept);
    }

    /** Which of the judged queries to run: all, or every other one, so that settings chosen on one half can be reported on the other. */
    public enum QuerySplit {
        ALL, EVEN, ODD;

        public static QuerySplit parse(String name) {
            for (QuerySplit split : values()) {
                if (split.name().equalsIgnoreCase(name.strip())) {
                    return split;
                }
            }
            throw new IllegalArgumentException("unknown split '" + name + "', expected all, even or odd");
        }
    }

    /**
     * The same corpus with the queries of one split: {@code EVEN} keeps the 1st, 3rd, 5th ... query in file order
     * (even 0-based positions), {@code ODD} the 2nd, 4th, ...
     */
    public BeirDataset withQuerySplit(QuerySplit split) {
        if (split == QuerySplit.ALL) {
            return this;
        }
        List<Query> kept = new ArrayList<>();
        for (int i = split == QuerySplit.EVEN ? 0 : 1; i < queries.size(); i += 2) {
            kept.add(queries.get(i));
        }
        Map<String, Map<String, Integer>> grades = new LinkedHashMap<>();
        kept.forEach(q -> grades.put(q.id(), qrels.get(q.id())));
        return new BeirDataset(corpus, kept, grades);
    }

    private interface JsonLineHandler {
        void accept(JsonNode object, String where);
    }

    private static void readJsonLines(Path file, JsonLineHandler handler) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ":" + number;
                JsonNode object;
                try {
                    object = json.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(where + ": not a JSON object", e);
                }
                if (!object.isObject()) {
                    throw new IllegalArgumentException(where + ": not a JSON object");
                }
                handler.accept(object, where);
            }
        }
    }

    private static String id(JsonNode object, String where) {
        JsonNode id = object.get("_id");
        if (id == null || !id.isValueNode() || id.asText().isEmpty()) {
            throw new IllegalArgumentException(where + ": no \"_id\"");
        }
        return id.asText();
    }

    private static String string(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }

    /** Query id to passage id to grade; the first line is a header when its score column is not a number. */
    private static Map<String, Map<String, Integer>> readQrels(Path file) throws IOException {
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] columns = lines.get(i).split("\t");
            String where = file + ":" + (i + 1);
            if (columns.length != 3) {
                throw new IllegalArgumentException(where + ": expected query-id, corpus-id and score separated by tabs");
            }
            int grade;
            try {
                grade = Integer.parseInt(columns[2].strip());
            } catch (NumberFormatException e) {
                if (i == 0) {
                    continue;
                }
                throw new IllegalArgumentException(where + ": score is not an integer: " + columns[2]);
            }
            qrels.computeIfAbsent(columns[0].strip(), q -> new LinkedHashMap<>()).put(columns[1].strip(), grade);
        }
        return qrels;
    }
}
