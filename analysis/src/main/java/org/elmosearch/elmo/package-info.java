/**
 * The ELMo biLM itself: bilm-tf {@code options.json} and {@code weights.hdf5} read and checked ({@link
 * org.elmosearch.elmo.ElmoOptions}, {@link org.elmosearch.elmo.ElmoWeights}), the ONNX graph built from them in Java
 * ({@link org.elmosearch.elmo.ElmoModel}, float32 or opt-in int8 LSTM weights), and the thread-safe ONNX Runtime
 * {@link org.elmosearch.elmo.ElmoEncoder} that turns tokens into character ids and runs the graph, with its cache of
 * char-CNN token vectors. Also the scalar mix and pooling of the output layers, and random models in the published
 * shapes for tests and benchmarks ({@link org.elmosearch.elmo.SyntheticModel}).
 */
package org.elmosearch.elmo;
