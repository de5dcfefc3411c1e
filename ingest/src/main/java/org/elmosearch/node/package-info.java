/**
 * What a node needs to embed: the models of its models directory, loaded once and shared ({@link
 * org.elmosearch.node.ElmoModelRegistry}), leased so that a reload never frees a model in use ({@link
 * org.elmosearch.node.ModelLease}), the per-model micro-batcher that embeds the texts of many requests together
 * ({@link org.elmosearch.node.EmbeddingBatcher}), the options a request may override ({@link
 * org.elmosearch.node.EmbeddingSpec}), and the counters behind {@code _elmo/stats}. The ingest processor and the
 * plugin's actions share it.
 */
package org.elmosearch.node;
