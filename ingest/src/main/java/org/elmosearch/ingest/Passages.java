package org.elmosearch.ingest;

import org.elmosearch.analysis.SentenceSplitter;
import org.elmosearch.analysis.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a text into passages for question answering: windows of at most {@code maxTokens} tokens that end at a
 * sentence end where one exists in the window, consecutive windows sharing up to {@code overlapTokens} tokens,
 * starting at a sentence start where possible. A sentence longer than a window is cut inside.
 */
public final class Passages {

    /**
     * One window: its text (a substring of the input), where it starts in the input, and its tokens (a view of the
     * tokens the input was split into, so that the window is embedded as exactly these).
     */
    public record Passage(String text, int offset, List<Token> tokens) {
    }

    private Passages() {
    }

    public static List<Passage> split(String text, List<Token> tokens, int maxTokens, int overlapTokens) {
        if (maxTokens < 1 || overlapTokens < 0 || overlapTokens >= maxTokens) {
            throw new IllegalArgumentException("passages need max_tokens >= 1 and 0 <= overlap_tokens < max_tokens, got "
                    + maxTokens + " and " + overlapTokens);
        }
        int n = tokens.size();
        boolean[] sentenceStart = new boolean[n + 1];
        int index = 0;
        for (SentenceSplitter.Sentence sentence : SentenceSplitter.split(text, tokens)) {
            sentenceStart[index] = true;
            index += sentence.tokens().size();
        }
        sentenceStart[n] = true;

        List<Passage> passages = new ArrayList<>();
        int start = 0;
        while (start < n) {
            int end = Math.min(start + maxTokens, n);
            int sentenceEnd = end;
            while (sentenceEnd > start && !sentenceStart[sentenceEnd]) {
                sentenceEnd--;
            }
            boolean cutInside = sentenceEnd == start;
            if (!cutInside) {
                end = sentenceEnd;
            }
            int from = tokens.get(start).startOffset();
            int to = tokens.get(end - 1).endOffset();
            passages.add(new Passage(text.substring(from, to), from, tokens.subList(start, end)));
            if (end == n) {
                break;
            }
            start = nextStart(sentenceStart, start, end, overlapTokens, cutInside);
        }
        return passages;
    }

    /** The first sentence start within the overlap, else (after a cut inside a sentence) a plain token overlap. */
    private static int nextStart(boolean[] sentenceStart, int start, int end, int overlapTokens, boolean cutInside) {
        for (int s = Math.max(start + 1, end - overlapTokens); s < end; s++) {
            if (sentenceStart[s]) {
                return s;
            }
        }
        return cutInside ? Math.max(start + 1, end - overlapTokens) : end;
    }
}
