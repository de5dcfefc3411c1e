package org.elmosearch.rank;

import org.elmosearch.analysis.Token;
import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.elmo.SyntheticModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenStatisticsTest {

    private static final int D = 6;

    @TempDir
    Path dir;

    /** Vectors with a large shared offset and strongly correlated, unequal dimensions: what raw ELMo vectors look like. */
    private static TokenStatistics fitOnCorrelatedVectors() {
        TokenStatisticsFitter fitter = new TokenStatisticsFitter(ScalarMix.average(3), D);
        Random random = new Random(3);
        for (int text = 0; text < 400; text++) {
            float[][] vectors = new float[5][];
            for (int t = 0; t < vectors.length; t++) {
                vectors[t] = correlated(random);
            }
            fitter.addVectors(vectors);
            fitter.countText(tokens(text % 2 == 0 ? "the river bank" : "the loan"));
        }
        return fitter.fit(0, "synthetic");
    }

    private static float[] correlated(Random random) {
        double a = random.nextGaussian();
        double b = random.nextGaussian();
        float[] v = new float[D];
        for (int d = 0; d < D; d++) {
            v[d] = (float) (10 + (d + 1) * a + 0.1 * b * (d % 2 == 0 ? 1 : -1) + 0.01 * random.nextGaussian());
        }
        return v;
    }

    private static List<Token> tokens(String text) {
        return java.util.Arrays.stream(text.split(" ")).map(w -> new Token(w, 0, w.length())).toList();
    }

    @Test
    void theWhiteningMatrixTurnsTheCovarianceIntoTheIdentity() {
        double[][] covariance = {{4, 2, 0.5}, {2, 3, 0.25}, {0.5, 0.25, 1}};
        float[][] w = TokenStatisticsFitter.inverseCholesky(covariance);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                double wcwt = 0;
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        wcwt += w[r][i] * covariance[i][j] * w[c][j];
                    }
                }
                assertEquals(r == c ? 1.0 : 0.0, wcwt, 1e-6, "(W C W^T)[" + r + "][" + c + "]");
            }
        }
    }

    @Test
    void whitenedVectorsPointEveryWayAlikeWhileRawOnesShareOneDirection() {
        TokenStatisticsFitter fitter = new TokenStatisticsFitter(ScalarMix.average(3), D);
        Random random = new Random(7);
        float[][] sample = new float[5000][];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = correlated(random);
        }
        fitter.addVectors(sample);
        fitter.countText(tokens("x"));
        TokenStatistics statistics = fitter.fit(0, "synthetic");
        // For directions spread evenly, E[u u^T] of unit vectors u is I / D; raw vectors all point along the offset.
        double[][] second = new double[D][D];
        double rawCosine = 0;
        for (float[] x : sample) {
            float[] u = statistics.transform(x, VectorTransform.WHITEN);
            for (int r = 0; r < D; r++) {
                for (int c = 0; c < D; c++) {
                    second[r][c] += (double) u[r] * u[c] / sample.length;
                }
            }
            rawCosine += dot(statistics.transform(x, VectorTransform.NONE), statistics.transform(sample[0], VectorTransform.NONE)) / sample.length;
        }
        for (int r = 0; r < D; r++) {
            for (int c = 0; c < D; c++) {
                assertEquals(r == c ? 1.0 / D : 0.0, second[r][c], 0.02, "E[u u^T][" + r + "][" + c + "]");
            }
        }
        assertTrue(rawCosine > 0.9, "raw vectors share their offset's direction: mean cosine " + rawCosine);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void rareWordsWeighMoreThanCommonOnesAndUnseenWordsMost() {
        TokenStatistics statistics = fitOnCorrelatedVectors();
        assertEquals(400, statistics.documentFrequency("THE"));
        assertEquals(200, statistics.documentFrequency("river"));
        assertTrue(statistics.idf("river") > statistics.idf("the"));
        assertTrue(statistics.idf("heron") > statistics.idf("river"));
        float[] weights = statistics.idfWeights(tokens("the river heron"));
        assertEquals(3.0, weights[0] + weights[1] + weights[2], 1e-5);
        assertTrue(weights[0] < weights[1] && weights[1] < weights[2]);
    }

    @Test
    void writtenStatisticsReadBackTransformingAlike() throws IOException {
        TokenStatistics statistics = fitOnCorrelatedVectors();
        Path file = dir.resolve(TokenStatistics.FILE_NAME);
        statistics.write(file);
        TokenStatistics read = TokenStatistics.read(file);
        float[] x = correlated(new Random(11));
        for (VectorTransform transform : VectorTransform.values()) {
            assertArrayEquals(statistics.transform(x, transform), read.transform(x, transform), 1e-6f, transform.name());
        }
        assertEquals(statistics.mix(), read.mix());
        assertEquals(statistics.source(), read.source());
        assertEquals(statistics.idf("river"), read.idf("river"), 1e-12);
    }

    @Test
    void aDamagedFileIsRefusedNamingIt() throws IOException {
        Path file = dir.resolve(TokenStatistics.FILE_NAME);
        fitOnCorrelatedVectors().write(file);
        String json = Files.readString(file);
        Files.writeString(file, json.substring(0, json.length() / 2));
        IOException truncated = assertThrows(IOException.class, () -> TokenStatistics.read(file));
        assertTrue(truncated.getMessage().startsWith(file + ": damaged token statistics"), truncated.getMessage());
        Files.writeString(file, json.replace("\"dimension\":" + D, "\"dimension\":" + (D + 1)));
        IOException shape = assertThrows(IOException.class, () -> TokenStatistics.read(file));
        assertTrue(shape.getMessage().contains("\"mean\" must be an array of 7 numbers, found 6"), shape.getMessage());
    }

    @Test
    void statisticsOfAnotherShapeDoNotFitTheModel() {
        ElmoOptions tiny = SyntheticModel.Preset.TINY.options();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fitOnCorrelatedVectors().checkFits(tiny));
        assertEquals(TokenStatistics.FILE_NAME + " describes 6-dimensional token vectors but the model makes " + tiny.outputDim()
                + "-dimensional ones: fit it again for this model", e.getMessage());
    }
}
