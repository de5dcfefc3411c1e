package org.elmosearch.eval;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A way of ranking the corpus for a query, by the name {@code elmo eval --methods} takes. */
public enum Method {

    /** BM25 over title and text, English analysis. */
    BM25("bm25", false, false),
    /** Nearest pooled ELMo vectors (cosine). */
    KNN("knn", true, false),
    /** BM25's top 100 reordered by the cosine of pooled vectors. */
    BM25_RESCORE("bm25+rescore", true, false),
    /** BM25's top 100 reordered by MaxSim over token vectors. */
    BM25_MAXSIM("bm25+maxsim", false, true),
    /** BM25 and kNN merged by reciprocal rank. */
    HYBRID("hybrid", true, false);

    private final String label;
    private final boolean pooledVectors;
    private final boolean tokenVectors;

    Method(String label, boolean pooledVectors, boolean tokenVectors) {
        this.label = label;
        this.pooledVectors = pooledVectors;
        this.tokenVectors = tokenVectors;
    }

    public String label() {
        return label;
    }

    /** Whether the index needs each passage's pooled vector. */
    public boolean needsPooledVectors() {
        return pooledVectors;
    }

    /** Whether the index needs each passage's token vectors. */
    public boolean needsTokenVectors() {
        return tokenVectors;
    }

    /** Whether it runs the ELMo model, at index and at query time. */
    public boolean needsModel() {
        return pooledVectors || tokenVectors;
    }

    /** Methods from a comma-separated list of labels, in the order given, each once. */
    public static List<Method> parseList(String labels) {
        Set<Method> methods = new LinkedHashSet<>();
        for (String label : labels.split(",")) {
            methods.add(parse(label.strip()));
        }
        return List.copyOf(methods);
    }

    public static Method parse(String label) {
        return Arrays.stream(values()).filter(m -> m.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown method '" + label + "', expected some of "
                        + String.join(",", Arrays.stream(values()).map(Method::label).toList())));
    }
}
