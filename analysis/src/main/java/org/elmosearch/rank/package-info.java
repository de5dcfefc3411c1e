/**
 * How ELMo scores rank: the token statistics {@code elmo fit} learns from a collection ({@link
 * org.elmosearch.rank.TokenStatistics}, {@link org.elmosearch.rank.TokenStatisticsFitter}), the vectors and IDF weights
 * that ranking compares ({@link org.elmosearch.rank.RankingVectors}), and the fusion of a first pass with ELMo
 * scores within a window ({@link org.elmosearch.rank.ScoreFusion}) or of several rankings ({@link
 * org.elmosearch.rank.RankFusion}). One implementation for the evaluation, the Lucene helpers and the plugin.
 */
package org.elmosearch.rank;
