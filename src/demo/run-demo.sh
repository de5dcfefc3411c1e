#!/usr/bin/env bash
# The demo: starts the real Elasticsearch 9.5.3 distribution with the elmo-search plugin and a model, indexes the
# shipped corpus (src/demo/corpus.tsv) through the elmo ingest processor, prints for each query of
# src/demo/queries.tsv BM25's top hits beside BM25 + ELMo's (the elmo rescorer), then what pooled vectors alone
# find, and stops the node.
#
# Model: by default the shipped model folder src/demo/model (see src/demo/model/README.md: random weights of the
# `small` ELMo shape with token statistics fitted on public-domain books). ELMO_MODEL_DIR=/path/to/dir holding
# options.json + weights.hdf5 (or model.onnx), and token-statistics.json from `bin/elmo fit`, uses other weights
# (e.g. an official ELMo).
# Everything lives in .demo/ (rebuilt on each run; the node's logs stay there afterwards); the last lines say how to
# remove what the demo left.
set -euo pipefail

es_tag=demo
# shellcheck source=src/demo/es-node.sh
source "$(dirname "${BASH_SOURCE[0]}")/es-node.sh"

es_build "${DEMO_REBUILD:-0}"
es_prepare "$root/.demo"

shipped_model="$root/src/demo/model"
model=elmo
model_dir="${ELMO_MODEL_DIR:-$shipped_model}"
es_install_model "$model" "$model_dir"
if [ "$model_dir" = "$shipped_model" ]; then
  cat <<'INFO'
demo: the shipped model (src/demo/model) has RANDOM weights of the `small` ELMo shape (bin/elmo synth --preset small
demo: --seed 0): no model this project could train on CPU ranked better. It knows no meaning. What it adds to BM25
demo: is soft matching of word forms (random character features) and of their neighbours (random LSTMs), made
demo: useful by token statistics that `bin/elmo fit` learned from public-domain books (whitening, IDF weights). On
demo: SQuAD that lifts BM25's nDCG@10 by about 0.02; on paraphrases that share no word with the answer it cannot
demo: help. src/demo/model/README.md has the figures. Other weights:
demo: ELMO_MODEL_DIR=/path/to/model-folder bin/demo (run bin/elmo fit on it first).
INFO
else
  echo "demo: using the model in $model_dir"
fi

where_things_are() {
  es_stop
  echo "demo: left behind: the node with its data and logs in $root/.demo (rm -rf $root/.demo), the build in" \
    "*/target (mvn clean), Elasticsearch's zip in ~/.m2/repository/org/elasticsearch/distribution$(
    [ "$(id -u)" = 0 ] && echo ", and the user $es_user that runs the node (userdel $es_user)")."
}
trap where_things_are EXIT
es_start elmo-demo

echo "demo: running src/demo/Demo.java (compiled on the fly)..."
"$jdk/bin/java" -cp "$(cli_jar)" "$root/src/demo/Demo.java" "$es_url" "$model" "$root/src/demo"

es_check_entitlements
