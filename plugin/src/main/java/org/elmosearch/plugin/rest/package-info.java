/**
 * The REST API: {@code _elmo/_embed}, {@code GET _elmo/models}, {@code GET _elmo/stats}, {@code POST
 * _elmo/models/<model_id>/_reload}, and the model store's {@code PUT _elmo/models/<model_id>}, {@code _chunk},
 * {@code _commit} and {@code DELETE}, each a thin handler over a transport action.
 */
package org.elmosearch.plugin.rest;
