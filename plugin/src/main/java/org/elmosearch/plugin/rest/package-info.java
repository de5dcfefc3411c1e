/**
 * The REST API: {@code _elmo/_embed}, {@code GET _elmo/models}, {@code GET _elmo/stats} and {@code POST
 * _elmo/models/<model_id>/_reload}, each a thin handler over a transport action.
 */
package org.elmosearch.plugin.rest;
