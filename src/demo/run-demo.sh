#!/usr/bin/env bash
# The demo: starts the real Elasticsearch 9.5.3 distribution with the elmo-search plugin and a model, indexes the
# shipped corpus (src/demo/corpus.tsv) through the elmo ingest processor, runs semantic queries, a BM25 query
# re-ranked by the elmo rescorer and questions answered by passages, prints the hits, and stops the node.
#
# Model: by default the shipped demo model in src/demo/model (an ELMo trained by src/trainer on public-domain books,
# see src/demo/model/README.md). ELMO_MODEL_DIR=/path/to/dir holding options.json + weights.hdf5 (or model.onnx)
# uses other weights (e.g. an official ELMo); ELMO_MODEL_DIR=synthetic a random `bin/elmo synth` model, whose
# rankings are NOT semantic.
# Everything lives in .demo/ (rebuilt on each run; the node's logs stay there afterwards).
set -euo pipefail

es_tag=demo
# shellcheck source=src/demo/es-node.sh
source "$(dirname "${BASH_SOURCE[0]}")/es-node.sh"

es_build "${DEMO_REBUILD:-0}"
es_prepare "$root/.demo"

shipped_model="$root/src/demo/model"
model_dir="${ELMO_MODEL_DIR:-$shipped_model}"
if [ "$model_dir" != synthetic ]; then
  model=elmo
  ELMO_MODEL_DIR="$model_dir"
  es_install_model "$model" "$ELMO_MODEL_DIR"
  if [ "$model_dir" = "$shipped_model" ]; then
    cat <<'INFO'
demo: using the shipped demo model (src/demo/model): a small ELMo (P=64, 1.06 M parameters) trained by
demo: src/trainer for 45 minutes on one CPU thread on public-domain books (Austen, Dickens, Conan Doyle, Hardy);
demo: held-out perplexity 121. Its rankings below are weak: on this corpus its nearest passages are no more often
demo: on topic than a random model's (src/demo/model/README.md has the figures). For other weights:
demo: ELMO_MODEL_DIR=/path/to/elmo (options.json + weights.hdf5, e.g. the AllenNLP "small" ELMo) bin/demo
INFO
  else
    echo "demo: using the model in $ELMO_MODEL_DIR"
  fi
else
  model=synthetic
  "$root/bin/elmo" synth --preset small --seed 1 --out "$es_home/config/elmo/$model" >/dev/null
  cat <<'WARN'
demo: WARNING: ELMO_MODEL_DIR=synthetic, so this demo uses a RANDOM model made by `bin/elmo synth`.
demo: Everything runs for real (plugin, ingest, knn, rescorer, passages), but the rankings below are NOT semantic.
demo: For meaningful results: ELMO_MODEL_DIR=/path/to/elmo (options.json + weights.hdf5, e.g. the AllenNLP
demo: "small" ELMo) bin/demo
WARN
fi

trap es_stop EXIT
es_start elmo-demo

"$jdk/bin/java" -cp "$(cli_jar)" "$root/src/demo/Demo.java" "$es_url" "$model" "$root/src/demo"

es_check_entitlements
