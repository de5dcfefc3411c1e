/**
 * The encoder benchmark behind {@code elmo bench} ({@link org.elmosearch.bench.EncoderBenchmark}): throughput,
 * query latency, achieved GFLOP/s against the machine's sgemm peak from an analytic count of multiply-adds ({@link
 * org.elmosearch.bench.ModelCost}), time per stage, memory, the int8 error against float32, and the throughput plot.
 * Figures, never pass/fail.
 */
package org.elmosearch.bench;
