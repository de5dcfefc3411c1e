/**
 * The Elasticsearch plugin's entry point, {@link org.elmosearch.plugin.ElmoPlugin}: node settings, the {@code elmo}
 * thread pool, and the registration of the processor, the {@code elmo_token_vectors} field, the search extensions,
 * the tokenizer, the transport actions and the REST handlers.
 */
package org.elmosearch.plugin;
