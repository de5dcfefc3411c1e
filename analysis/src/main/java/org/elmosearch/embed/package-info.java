/**
 * Raw text in, vectors out: {@link org.elmosearch.embed.ElmoEmbedder} tokenizes, batches texts by length, runs the
 * encoder, mixes the layers and pools, as {@link org.elmosearch.embed.EmbeddingOptions} say; each text comes back as
 * an {@link org.elmosearch.embed.EmbeddedText} (pooled vector and token vectors) or its {@link
 * org.elmosearch.embed.TextLayers}.
 */
package org.elmosearch.embed;
