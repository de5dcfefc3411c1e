package org.elmosearch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.elmosearch.SharedData;
import org.junit.jupiter.api.Test;

/**
 * Measures how closely {@link TextTokenizer} reproduces the tokenization of ELMo's training text: the fixture
 * sentences (1 Billion Word Benchmark style, tokens separated by spaces) are turned back into natural text and
 * tokenized again. Agreement is the longest common subsequence of reference and produced tokens over the longer of
 * the two, so that both merged and over-split tokens count as misses. The documentation says it reproduces every
 * token: this holds it to that.
 */
class TokenizerAgreementTest {

    private static final Set<String> GLUED_TO_PREVIOUS =
            Set.of(",", ".", "!", "?", ";", ":", ")", "'t", "'s", "n't", "'re", "'ve", "'ll", "'d", "'m");

    @Test
    void reproducesTheTrainingTokenizationOfNaturalText() throws IOException {
        double agreement = agreement("natural text", TokenizerAgreementTest::detokenize);
        assertEquals(1.0, agreement, "every fixture token reproduced; agreement " + agreement);
    }

    @Test
    void keepsAlreadyTokenizedTextAsItIs() throws IOException {
        double agreement = agreement("pre-tokenized text", tokens -> String.join(" ", tokens));
        assertEquals(1.0, agreement, "every fixture token reproduced; agreement " + agreement);
    }

    /** The share of fixture tokens reproduced from the text that {@code toText} writes for each sentence. */
    private static double agreement(String kind, Function<List<String>, String> toText) throws IOException {
        Path file = SharedData.requireOrSkip("elmo-fixtures/allennlp/sentences.json");
        List<List<String>> batches = new ObjectMapper().readValue(file.toFile(), new TypeReference<>() { });
        int matched = 0;
        int total = 0;
        for (List<String> batch : batches) {
            for (String tokenized : batch) {
                List<String> reference = Arrays.asList(tokenized.split(" "));
                List<String> produced = TextTokenizer.standard().tokenize(toText.apply(reference)).stream()
                        .map(Token::text).toList();
                matched += longestCommonSubsequence(reference, produced);
                total += Math.max(reference.size(), produced.size());
            }
        }
        double agreement = (double) matched / total;
        System.out.printf("tokenizer agreement on %s: %.1f%% (%d/%d tokens)%n", kind, 100 * agreement, matched, total);
        return agreement;
    }

    /** Natural text as a writer would type it: no space before closing punctuation and clitics, quotes hugging. */
    static String detokenize(List<String> tokens) {
        StringBuilder text = new StringBuilder();
        boolean insideQuote = false;
        boolean glueNext = false;
        for (String token : tokens) {
            boolean isQuote = token.equals("\"");
            boolean glue = glueNext || (isQuote ? insideQuote : GLUED_TO_PREVIOUS.contains(token));
            if (!text.isEmpty() && !glue) {
                text.append(' ');
            }
            text.append(token);
            glueNext = token.equals("(") || isQuote && !insideQuote;
            insideQuote ^= isQuote;
        }
        return text.toString();
    }

    /** Tokens of {@code reference} reproduced, in order, in {@code produced}; misaligned or merged ones count 0. */
    static int longestCommonSubsequence(List<String> reference, List<String> produced) {
        int[][] lengths = new int[reference.size() + 1][produced.size() + 1];
        for (int i = 1; i <= reference.size(); i++) {
            for (int j = 1; j <= produced.size(); j++) {
                lengths[i][j] = reference.get(i - 1).equals(produced.get(j - 1))
                        ? lengths[i - 1][j - 1] + 1
                        : Math.max(lengths[i - 1][j], lengths[i][j - 1]);
            }
        }
        return lengths[reference.size()][produced.size()];
    }
}
