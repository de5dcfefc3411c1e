/**
 * The {@code elmo} ingest processor ({@link org.elmosearch.ingest.ElmoProcessor} and its {@code Factory}): a text
 * field's pooled vector, optionally its token vectors and its passages ({@link org.elmosearch.ingest.Passages})
 * written into each document.
 */
package org.elmosearch.ingest;
