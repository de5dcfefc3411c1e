/**
 * A model as a folder ({@link org.elmosearch.model.ModelDirectory}): {@code model.onnx} or {@code options.json} +
 * {@code weights.hdf5}, and optionally {@code token-statistics.json} from {@code elmo fit}. The command line, the
 * Lucene helpers and the Elasticsearch plugin all load models through it.
 */
package org.elmosearch.model;
