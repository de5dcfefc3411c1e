/**
 * Transport actions: embedding texts on this node or on another that has the model ({@link
 * org.elmosearch.plugin.action.EmbedAction}, {@code cluster:monitor/elmo/embed}), gathering every node's models and
 * counters ({@link org.elmosearch.plugin.action.ElmoNodesAction}, {@code cluster:monitor/elmo/nodes}), reloading a
 * model on every node ({@link org.elmosearch.plugin.action.ReloadModelAction}, {@code
 * cluster:admin/elmo/models/reload}), and the model store's upload, commit and delete ({@code
 * cluster:admin/elmo/models/put}, {@code .../put/chunk}, {@code .../put/commit}, {@code .../delete}) with the nodes'
 * share of them ({@link org.elmosearch.plugin.action.SyncStoredModelsAction}), with their requests and responses.
 */
package org.elmosearch.plugin.action;
