package org.elmosearch.plugin;

import org.elasticsearch.plugins.Plugin;

/** Registers ELMo with Elasticsearch: models, the elmo ingest processor, search extensions, REST API. */
public class ElmoPlugin extends Plugin {
}
