package org.elmosearch.eval;

/**
 * One method's figures over the evaluated queries.
 *
 * @param method                the method
 * @param queries               how many queries were run
 * @param ndcgAt10              mean nDCG@10
 * @param ndcgAt10Even          mean nDCG@10 of the 1st, 3rd, 5th ... query run (what {@code --split even} runs)
 * @param ndcgAt10Odd           mean nDCG@10 of the 2nd, 4th, ... query run; NaN for a single query
 * @param mrrAt10               mean reciprocal rank of the first relevant passage within the top 10
 * @param recallAt100           mean share of the relevant passages within the top 100
 * @param queryMsMedian         median time from query text to ranking, embedding included
 * @param queryMsP99            99th percentile of the same
 * @param rescoreMsPer100Hits   median time of the rescorer alone, per 100 first-pass hits; NaN without a rescorer
 * @param buildSeconds          building what the method needs: the model over the corpus (if it uses vectors)
 *                              and writing the index
 * @param indexBytes            the index files the method needs: text, plus its kind of vectors
 */
public record MethodResult(Method method, int queries, double ndcgAt10, double ndcgAt10Even, double ndcgAt10Odd, double mrrAt10, double recallAt100,
                           double queryMsMedian, double queryMsP99, double rescoreMsPer100Hits, double buildSeconds,
                           long indexBytes) {
}
