/**
 * The cluster's model store: the system index of uploaded model versions, their manifests (files, lengths, SHA-256
 * checksums, chunk size) and chunks ({@link org.elmosearch.plugin.store.ModelStore},
 * {@link org.elmosearch.plugin.store.ModelManifest}), and each node's side of it, which fetches the versions in
 * service into its temp dir and loads them ({@link org.elmosearch.plugin.store.StoredModels}).
 */
package org.elmosearch.plugin.store;
