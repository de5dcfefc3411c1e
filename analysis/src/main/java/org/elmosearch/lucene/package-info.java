/**
 * ELMo in plain Lucene: pooled vectors as {@code KnnFloatVectorField}s and kNN queries ({@link
 * org.elmosearch.lucene.ElmoVectors}), token vectors in a binary doc-values field for late interaction ({@link
 * org.elmosearch.lucene.ElmoTokenVectors}, {@link org.elmosearch.lucene.TokenVectorEncoding}), and rescorers that
 * re-rank any first pass by cosine, by MaxSim, or by fusing the normalized scores of both passes ({@link
 * org.elmosearch.lucene.FusionRescorer}). The Elasticsearch plugin uses the same classes, so both rank alike.
 */
package org.elmosearch.lucene;
