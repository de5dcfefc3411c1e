/**
 * Search extensions: the {@code elmo} {@code query_vector_builder} for {@code knn} ({@link
 * org.elmosearch.plugin.search.ElmoQueryVectorBuilder}), the {@code elmo} rescorer ({@link
 * org.elmosearch.plugin.search.ElmoRescorerBuilder}: cosine or MaxSim, fused with the first pass by default) and the
 * {@code elmo_fusion} retriever ({@link org.elmosearch.plugin.search.ElmoFusionRetrieverBuilder}: linear or
 * reciprocal-rank fusion of child retrievers on the basic licence).
 */
package org.elmosearch.plugin.search;
