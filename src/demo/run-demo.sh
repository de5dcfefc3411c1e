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

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$root/.demo"
es_version=9.5.3
es_user=elmo-es

java_major() {
  "$1" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9.]*\).*/\1/p' | head -n 1 | awk -F. '{ print ($1 == 1 ? $2 : $1) }'
}
find_jdk() {
  local candidate major
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java /opt/*/bin/java; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major="$(java_major "$candidate")"
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ -x "$(dirname "$candidate")/javac" ]; then
      cd -P "$(dirname "$candidate")/.." && pwd
      return 0
    fi
  done
  return 1
}
jdk="$(find_jdk)" || { echo "demo: no JDK 21 or newer found (JAVA_HOME, PATH, /usr/lib/jvm, /opt)." >&2; exit 1; }
java="$jdk/bin/java"

zip="$root/plugin/target/elmo-search-0.1.0.zip"
cli_jar() { ls "$root"/analysis/target/elmo-search-analysis-*-cli.jar 2>/dev/null | head -n 1; }
if [ ! -f "$zip" ] || [ -z "$(cli_jar)" ] || [ "${DEMO_REBUILD:-0}" = 1 ]; then
  echo "demo: building the plugin zip and the CLI jar (mvn package, a minute or two)..."
  (cd "$root" && mvn -q -B -DskipTests package -pl analysis,ingest,plugin)
fi

dist_zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$es_version/elasticsearch-$es_version.zip"
if [ ! -f "$dist_zip" ]; then
  echo "demo: fetching Elasticsearch $es_version (integ-test-zip) from Maven Central..."
  (cd "$root" && mvn -q -B dependency:get -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$es_version:zip")
fi

rm -rf "$work"
mkdir -p "$work"
(cd "$work" && unzip -q "$dist_zip")
home="$work/elasticsearch-$es_version"
ES_JAVA_HOME="$jdk" "$home/bin/elasticsearch-plugin" install --batch "file://$zip" >"$work/plugin-install.log" 2>&1 \
  || { cat "$work/plugin-install.log" >&2; exit 1; }

shipped_model="$root/src/demo/model"
model_dir="${ELMO_MODEL_DIR:-$shipped_model}"
if [ "$model_dir" != synthetic ]; then
  model=elmo
  ELMO_MODEL_DIR="$model_dir"
  if [ -f "$ELMO_MODEL_DIR/model.onnx" ]; then
    mkdir -p "$home/config/elmo/$model" && cp "$ELMO_MODEL_DIR/model.onnx" "$home/config/elmo/$model/"
  elif [ -f "$ELMO_MODEL_DIR/options.json" ] && [ -f "$ELMO_MODEL_DIR/weights.hdf5" ]; then
    mkdir -p "$home/config/elmo/$model" && cp "$ELMO_MODEL_DIR/options.json" "$ELMO_MODEL_DIR/weights.hdf5" "$home/config/elmo/$model/"
  else
    echo "demo: ELMO_MODEL_DIR=$ELMO_MODEL_DIR holds neither model.onnx nor options.json + weights.hdf5" >&2
    exit 1
  fi
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
  "$root/bin/elmo" synth --preset small --seed 1 --out "$home/config/elmo/$model" >/dev/null
  cat <<'WARN'
demo: WARNING: ELMO_MODEL_DIR=synthetic, so this demo uses a RANDOM model made by `bin/elmo synth`.
demo: Everything runs for real (plugin, ingest, knn, rescorer, passages), but the rankings below are NOT semantic.
demo: For meaningful results: ELMO_MODEL_DIR=/path/to/elmo (options.json + weights.hdf5, e.g. the AllenNLP
demo: "small" ELMo) bin/demo
WARN
fi

run_as=()
if [ "$(id -u)" = 0 ]; then
  # Elasticsearch refuses to run as root.
  id -u "$es_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$es_user"
  chown -R "$es_user:" "$work"
  run_as=(runuser -u "$es_user" --)
fi

free_port() {
  local port
  for port in $(seq "$1" "$2"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  return 1
}
http_port="$(free_port 9250 9299)"
transport_port="$(free_port 9350 9399)"

stop() {
  local pid
  if pid="$(cat "$home/es.pid" 2>/dev/null)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    echo "demo: node stopped; logs in $home/logs"
  fi
}
trap stop EXIT

echo "demo: starting Elasticsearch $es_version on 127.0.0.1:$http_port (entitlements enforced)..."
"${run_as[@]}" env ES_JAVA_HOME="$jdk" ES_JAVA_OPTS="-Xms1g -Xmx1g" "$home/bin/elasticsearch" -d -p "$home/es.pid" \
  -E cluster.name=elmo-demo -E discovery.type=single-node -E network.host=127.0.0.1 \
  -E http.port="$http_port" -E transport.port="$transport_port" -E xpack.security.enabled=false \
  -E cluster.routing.allocation.disk.threshold_enabled=false >"$work/start.log" 2>&1 \
  || { cat "$work/start.log" >&2; tail -n 50 "$home/logs/elmo-demo.log" >&2 || true; exit 1; }

"$java" -cp "$(cli_jar)" "$root/src/demo/Demo.java" "http://127.0.0.1:$http_port" "$model" "$root/src/demo"

if grep -q NotEntitledException "$home/logs/elmo-demo.log"; then
  echo "demo: the node log reports a NotEntitledException" >&2
  exit 1
fi
