package org.elmosearch.eval;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A way of ranking the corpus for a query, by the name {@code elmo eval --methods} takes. */
public enum Method {

    BM25("bm25", "BM25 over title and text, English analysis", false, false),
    KNN("knn", "the 100 nearest pooled ELMo vectors (cosine)", true, false),
    HYBRID("hybrid", "bm25 and knn merged by reciprocal rank (k=60)", true, false),
    BM25_COSINE("bm25+cosine", "BM25's top 100 reordered by the cosine of pooled vectors alone", true, false),
    BM25_MAXSIM("bm25+maxsim", "BM25's top 100 reordered by MaxSim over token vectors alone", false, true),
    BM25_COSINE_FUSION("bm25+cosine-fusion", "BM25's top 100, BM25 and cosine normalized within them and added with weights",
            true, false),
    BM25_MAXSIM_FUSION("bm25+maxsim-fusion", "BM25's top 100, BM25 and MaxSim normalized within them and added with weights",
            false, true);

    /** Labels of earlier versions, still accepted by {@link #parse}. */
    private static final String OLD_COSINE_LABEL = "bm25+rescore";

    private final String label;
    private final String description;
    private final boolean pooledVectors;
    private final boolean tokenVectors;

    Method(String label, String description, boolean pooledVectors, boolean tokenVectors) {
        this.label = label;
        this.description = description;
        this.pooledVectors = pooledVectors;
        this.tokenVectors = tokenVectors;
    }

    public String label() {
        return label;
    }

    /** What the method does, in a line. */
    public String description() {
        return description;
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
        if (label.equals(OLD_COSINE_LABEL)) {
            return BM25_COSINE;
        }
        return Arrays.stream(values()).filter(m -> m.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown method '" + label + "', expected some of "
                        + String.join(",", Arrays.stream(values()).map(Method::label).toList())));
    }
}
