package org.elmosearch.lucene;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a rescorer merges a hit's first-pass score with its second-pass (ELMo) score: the names and arithmetic of
 * Elasticsearch's rescore {@code score_mode}, so that the plugin and plain Lucene rank alike. Each score is first
 * multiplied by its weight ({@code query_weight}, {@code rescore_query_weight}); the mode then merges the two products.
 */
public enum ScoreMode {

    /** {@code first + second}, Elasticsearch's default. */
    TOTAL {
        @Override
        float merge(float first, float second) {
            return first + second;
        }
    },
    MULTIPLY {
        @Override
        float merge(float first, float second) {
            return first * second;
        }
    },
    AVG {
        @Override
        float merge(float first, float second) {
            return (first + second) / 2;
        }
    },
    MAX {
        @Override
        float merge(float first, float second) {
            return Math.max(first, second);
        }
    },
    MIN {
        @Override
        float merge(float first, float second) {
            return Math.min(first, second);
        }
    },
    /** The second pass alone: the first pass only chooses the candidates. */
    REPLACE {
        @Override
        float merge(float first, float second) {
            return second;
        }
    };

    /** The two already weighted scores, merged. */
    abstract float merge(float weightedFirst, float weightedSecond);

    /** {@code merge(queryWeight * firstPassScore, rescoreWeight * secondPassScore)}. */
    public float combine(float firstPassScore, float secondPassScore, float queryWeight, float rescoreWeight) {
        return merge(queryWeight * firstPassScore, rescoreWeight * secondPassScore);
    }

    /** The lower-case name Elasticsearch uses, e.g. {@code total}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A mode by its Elasticsearch name, in any case. */
    public static ScoreMode parse(String name) {
        for (ScoreMode mode : values()) {
            if (mode.name().equalsIgnoreCase(name.strip())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown score_mode '" + name + "', expected one of "
                + Arrays.stream(values()).map(ScoreMode::jsonName).toList());
    }
}
