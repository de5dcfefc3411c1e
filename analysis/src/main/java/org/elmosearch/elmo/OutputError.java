package org.elmosearch.elmo;

import java.util.List;

/**
 * How far one encoder's layers are from a reference encoder's on the same sentences: the largest absolute
 * difference of any value, and the cosine between each token's vectors in each layer (mean and worst).
 *
 * @param tokenVectors number of (sentence, layer, token) vectors compared
 */
public record OutputError(double maxAbs, double meanCosine, double minCosine, long tokenVectors) {

    /** Both lists hold, per sentence, {@code [layers][tokens][dim]} as {@link org.elmosearch.elmo.BiLmOutput#layers()}. */
    public static OutputError of(List<float[][][]> reference, List<float[][][]> other) {
        if (reference.size() != other.size()) {
            throw new IllegalArgumentException(reference.size() + " reference sentences, " + other.size() + " compared");
        }
        double maxAbs = 0;
        double cosineSum = 0;
        double minCosine = 1;
        long count = 0;
        for (int s = 0; s < reference.size(); s++) {
            float[][][] a = reference.get(s);
            float[][][] b = other.get(s);
            for (int l = 0; l < a.length; l++) {
                for (int t = 0; t < a[l].length; t++) {
                    double dot = 0;
                    double normA = 0;
                    double normB = 0;
                    for (int d = 0; d < a[l][t].length; d++) {
                        maxAbs = Math.max(maxAbs, Math.abs(a[l][t][d] - b[l][t][d]));
                        dot += (double) a[l][t][d] * b[l][t][d];
                        normA += (double) a[l][t][d] * a[l][t][d];
                        normB += (double) b[l][t][d] * b[l][t][d];
                    }
                    double cosine = normA == 0 && normB == 0 ? 1 : dot / Math.sqrt(normA * normB);
                    cosineSum += cosine;
                    minCosine = Math.min(minCosine, cosine);
                    count++;
                }
            }
        }
        return new OutputError(maxAbs, count == 0 ? 1 : cosineSum / count, minCosine, count);
    }
}
