/**
 * The {@code elmo_token_vectors} field type ({@link org.elmosearch.plugin.mapper.ElmoTokenVectorsFieldMapper}): a
 * document's token vectors checked, scaled to unit length and stored as one binary doc value in the Lucene library's
 * encoding, for the rescorer's MaxSim mode.
 */
package org.elmosearch.plugin.mapper;
