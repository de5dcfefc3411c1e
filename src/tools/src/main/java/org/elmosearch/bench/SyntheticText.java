package org.elmosearch.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sentences of made-up words drawn with Zipf frequencies, as in natural text: a few words are very frequent, most
 * are rare. That makes the token-vector cache behave as it would on real text.
 */
final class SyntheticText {

    private static final int VOCABULARY = 30_000;

    private final String[] words;
    private final double[] cumulative;
    private final SplittableRandom random;

    SyntheticText(long seed) {
        random = new SplittableRandom(seed);
        words = new String[VOCABULARY];
        cumulative = new double[VOCABULARY];
        double sum = 0;
        for (int i = 0; i < VOCABULARY; i++) {
            StringBuilder word = new StringBuilder();
            int length = 2 + random.nextInt(9);
            for (int k = 0; k < length; k++) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            words[i] = word.toString();
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        for (int i = 0; i < VOCABULARY; i++) {
            cumulative[i] /= sum;
        }
    }

    /** {@code count} sentences of {@code minLength}..{@code maxLength} tokens. */
    List<List<String>> sentences(int count, int minLength, int maxLength) {
        List<List<String>> out = new ArrayList<>(count);
        for (int s = 0; s < count; s++) {
            int length = minLength + random.nextInt(maxLength - minLength + 1);
            List<String> sentence = new ArrayList<>(length);
            for (int t = 0; t < length; t++) {
                sentence.add(word());
            }
            out.add(sentence);
        }
        return out;
    }

    private String word() {
        double u = random.nextDouble();
        int lo = 0;
        int hi = VOCABULARY - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return words[lo];
    }
}
