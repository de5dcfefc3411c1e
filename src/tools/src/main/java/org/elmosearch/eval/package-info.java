/**
 * Retrieval evaluation behind {@code elmo eval}: a BEIR-layout data set ({@link org.elmosearch.eval.BeirDataset})
 * indexed in memory, every ranking method (BM25, kNN, hybrids, rescoring and fusion) run one query at a time with the
 * Lucene helpers a library user calls, and nDCG@10, MRR@10, Recall@100 and latency reported per method.
 */
package org.elmosearch.eval;
