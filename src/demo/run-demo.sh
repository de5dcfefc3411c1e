#!/usr/bin/env bash
# The demo: starts the real Elasticsearch 9.5.3 distribution with the elmo-search plugin and a model, indexes the
# shipped corpus (src/demo/corpus.tsv) through the elmo ingest processor, runs semantic queries, a BM25 query
# re-ranked by the elmo rescorer and questions answered by passages, prints the hits, and stops the node.
#
# Model: ELMO_MODEL_DIR=/path/to/dir holding options.json + weights.hdf5 (or model.onnx) of an official ELMo model;
# without it a small random model is made with `bin/elmo synth`, whose rankings are NOT semantic.
# Everything lives in .demo/ (rebuilt on each run; the node's logs stay there afterwards).
set -euo pipefail

es_tag=demo
# shellcheck source=src/demo/es-node.sh
source "$(dirname "${BASH_SOURCE[0]}")/es-node.sh"

es_build "${DEMO_REBUILD:-0}"
es_prepare "$root/.demo"

if [ -n "${ELMO_MODEL_DIR:-}" ]; then
  model=elmo
  es_install_model "$model" "$ELMO_MODEL_DIR"
  echo "demo: using the model in $ELMO_MODEL_DIR"
else
  model=synthetic
  "$root/bin/elmo" synth --preset small --seed 1 --out "$es_home/config/elmo/$model" >/dev/null
  cat <<'WARN'
demo: WARNING: no ELMO_MODEL_DIR given, so this demo uses a RANDOM model made by `bin/elmo synth`.
demo: Everything runs for real (plugin, ingest, knn, rescorer, passages), but the rankings below are NOT semantic.
demo: For meaningful results: ELMO_MODEL_DIR=/path/to/elmo (options.json + weights.hdf5, e.g. the AllenNLP
demo: "small" ELMo) bin/demo
WARN
fi

trap es_stop EXIT
es_start elmo-demo

"$jdk/bin/java" -cp "$(cli_jar)" "$root/src/demo/Demo.java" "$es_url" "$model" "$root/src/demo"

es_check_entitlements
