# shellcheck shell=bash disable=SC2034,SC2154 # es_tag comes from, and es_url goes to, the sourcing script
# Sourced by run-demo.sh and ../bench/es-bench.sh: one node of the real Elasticsearch distribution with the
# elmo-search plugin, on 127.0.0.1 with entitlements enforced. Set es_tag (the prefix of messages) before sourcing.
# Defines root, jdk, cli_jar and the es_* functions; es_prepare sets es_home, es_start sets es_url.

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
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
jdk="$(find_jdk)" || { echo "$es_tag: no JDK 21 or newer found (JAVA_HOME, PATH, /usr/lib/jvm, /opt)." >&2; exit 1; }

es_zip="$root/plugin/target/elmo-search-0.1.0.zip"
cli_jar() { ls "$root"/src/tools/target/elmo-search-tools-*-cli.jar 2>/dev/null | head -n 1; }

# sources_newer_than FILE: true when a main source of a module, a pom or the descriptor changed after FILE was built.
sources_newer_than() {
  [ -n "$(cd "$root" && find analysis/src/main ingest/src/main src/tools/src/main plugin/src/main pom.xml analysis/pom.xml \
    ingest/pom.xml src/tools/pom.xml plugin/pom.xml plugin-descriptor.properties -newer "$1" -print -quit 2>/dev/null)" ]
}

# mvn without colours (its -B mode still writes some ANSI escapes) and without a download log.
es_mvn() {
  (cd "$root" && mvn -B -Dstyle.color=never --no-transfer-progress "$@")
}

# es_build [1]: builds the plugin zip and the CLI jar when one is missing or older than the sources, or always with 1.
# Prints one line per module as Maven reaches it; the whole Maven output goes to target/es-build.log.
es_build() {
  if [ ! -f "$es_zip" ] || [ -z "$(cli_jar)" ] || [ "${1:-0}" = 1 ] || sources_newer_than "$es_zip"; then
    local log="$root/target/es-build.log"
    mkdir -p "$root/target"
    echo "$es_tag: building the plugin zip and the CLI jar (mvn package, a minute or two; log: $log)..."
    if ! es_mvn -DskipTests package -pl analysis,ingest,src/tools,plugin 2>&1 | tee "$log" \
        | sed -un 's/^\[INFO\] Building \(elmo-search.*[^ ]\) *\[\([0-9]*\/[0-9]*\)\]$/'"$es_tag"':   \2 \1/p'; then
      tail -n 40 "$log" >&2
      echo "$es_tag: the build failed; the whole output is in $log" >&2
      exit 1
    fi
  fi
}

# es_prepare DIR: a fresh node in DIR (removed first): the distribution unpacked, the plugin installed.
es_prepare() {
  local dist_zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$es_version/elasticsearch-$es_version.zip"
  if [ ! -f "$dist_zip" ]; then
    echo "$es_tag: fetching Elasticsearch $es_version (integ-test-zip) from Maven Central into ~/.m2..."
    es_mvn -q dependency:get -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$es_version:zip"
  fi
  es_dir="$1"
  rm -rf "$es_dir"
  mkdir -p "$es_dir"
  echo "$es_tag: unpacking Elasticsearch $es_version into $es_dir and installing the plugin..."
  (cd "$es_dir" && unzip -q "$dist_zip")
  es_home="$es_dir/elasticsearch-$es_version"
  ES_JAVA_HOME="$jdk" "$es_home/bin/elasticsearch-plugin" install --batch "file://$es_zip" >"$es_dir/plugin-install.log" 2>&1 \
    || { cat "$es_dir/plugin-install.log" >&2; exit 1; }
}

# es_install_model ID DIR: copies a model folder (model.onnx, or options.json + weights.hdf5, with its
# token-statistics.json and settings.json if it has them) into the node's config/elmo/ID.
es_install_model() {
  local target="$es_home/config/elmo/$1" file
  mkdir -p "$target"
  if [ -f "$2/model.onnx" ]; then
    cp "$2/model.onnx" "$target/"
  elif [ -f "$2/options.json" ] && [ -f "$2/weights.hdf5" ]; then
    cp "$2/options.json" "$2/weights.hdf5" "$target/"
  else
    echo "$es_tag: $2 holds neither model.onnx nor options.json + weights.hdf5" >&2
    exit 1
  fi
  for file in token-statistics.json settings.json; do
    if [ -f "$2/$file" ]; then
      cp "$2/$file" "$target/"
    fi
  done
}

free_port() {
  local port
  for port in $(seq "$1" "$2"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  return 1
}

# es_start CLUSTER [-E key=value ...]: starts the prepared node in the background (its log is
# logs/CLUSTER.log) and sets es_url; -d returns once the node has started.
es_start() {
  es_cluster="$1"
  shift
  local run_as=()
  if [ "$(id -u)" = 0 ]; then
    # Elasticsearch refuses to run as root.
    id -u "$es_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$es_user"
    chown -R "$es_user:" "$es_dir"
    run_as=(runuser -u "$es_user" --)
  fi
  local http_port transport_port
  http_port="$(free_port 9250 9299)"
  transport_port="$(free_port 9350 9399)"
  es_url="http://127.0.0.1:$http_port"
  echo "$es_tag: starting Elasticsearch $es_version on 127.0.0.1:$http_port (entitlements enforced)${*:+ with $*}..."
  # -d returns once the node has started (half a minute or more); say so meanwhile.
  "${run_as[@]}" env ES_JAVA_HOME="$jdk" ES_JAVA_OPTS="-Xms1g -Xmx1g" "$es_home/bin/elasticsearch" -d -p "$es_home/es.pid" \
    -E cluster.name="$es_cluster" -E discovery.type=single-node -E network.host=127.0.0.1 \
    -E http.port="$http_port" -E transport.port="$transport_port" -E xpack.security.enabled=false \
    -E cluster.routing.allocation.disk.threshold_enabled=false "$@" >"$es_dir/start.log" 2>&1 &
  local starter=$! waited=0
  while kill -0 "$starter" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if [ $((waited % 15)) = 0 ]; then
      echo "$es_tag:   still starting after $waited s (log: $es_home/logs/$es_cluster.log)"
    fi
  done
  if ! wait "$starter"; then
    cat "$es_dir/start.log" >&2
    tail -n 50 "$es_home/logs/$es_cluster.log" >&2 || true
    exit 1
  fi
  echo "$es_tag: node started in $waited s"
}

# es_stop: stops the node if it runs (safe to call twice, e.g. from an EXIT trap).
es_stop() {
  local pid
  [ -n "${es_home:-}" ] || return 0
  if pid="$(cat "$es_home/es.pid" 2>/dev/null)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    # A pid file left behind must not make a later call signal whatever process reuses the number.
    rm -f "$es_home/es.pid"
    echo "$es_tag: node stopped; logs in $es_home/logs"
  fi
}

# es_check_entitlements: fails when the node's log reports a NotEntitledException.
es_check_entitlements() {
  if grep -q NotEntitledException "$es_home/logs/$es_cluster.log"; then
    echo "$es_tag: the node log reports a NotEntitledException" >&2
    exit 1
  fi
}
