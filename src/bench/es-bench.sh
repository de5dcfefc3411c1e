#!/usr/bin/env bash
# bin/bench-es: the elmo plugin's speed on the real Elasticsearch 9.5.3 distribution, one node on 127.0.0.1 with
# a synthetic model (random weights: speed only; `small` unless --preset says otherwise). For micro-batching on and then off (node setting
# elmo.batching, the node restarted in between): ingest throughput of passages of about 100 tokens (made from
# src/demo/corpus.tsv sentences) sent in one bulk and in bulks of 100 from 4 concurrent clients, then the latency
# of knn searches one at a time with the elmo query_vector_builder and with the same vectors precomputed, which
# separates embedding from search; with batching on also the latency of BM25 with its top 100 re-ranked by the elmo
# rescorer (cosine, maxsim over int8 token vectors, and maxsim with "normalization": "zscore"), and of BM25 fused with
# knn by the elmo_fusion retriever (linear, z-scores, window 100). Prints figures, never pass/fail; a method whose
# searches fail (a rescorer option this build lacks, say) is reported as failed with the reason, and the others run.
#
# Usage: bin/bench-es [--docs N] [--queries N] [--preset small|medium|original] [--precision float32|int8] [--json]
# --precision int8 writes {"weight_precision": "int8"} into the model's settings.json (opt-in int8 LSTM weights).
# Everything lives in .bench/ (the node is rebuilt on each run; the model is made once and kept).
set -euo pipefail

es_tag=bench-es
# shellcheck source=src/demo/es-node.sh
source "$(dirname "${BASH_SOURCE[0]}")/../demo/es-node.sh"

docs=1000
queries=100
json=0
model=small
precision=float32
usage() { echo "usage: bin/bench-es [--docs N] [--queries N] [--preset small|medium|original] [--precision float32|int8] [--json]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --docs) [ $# -ge 2 ] || usage; docs="$2"; shift 2 ;;
    --queries) [ $# -ge 2 ] || usage; queries="$2"; shift 2 ;;
    --preset) [ $# -ge 2 ] || usage; model="$2"; shift 2 ;;
    --precision) [ $# -ge 2 ] || usage; precision="$2"; shift 2 ;;
    --json) json=1; shift ;;
    *) usage ;;
  esac
done
[[ "$docs" =~ ^[1-9][0-9]*$ && $((docs % 10)) = 0 ]] || { echo "bench-es: --docs must be a positive multiple of 10" >&2; exit 2; }
[[ "$queries" =~ ^[1-9][0-9]*$ ]] || { echo "bench-es: --queries must be a positive number" >&2; exit 2; }
[[ "$model" =~ ^(small|medium|original)$ ]] || { echo "bench-es: --preset must be small, medium or original" >&2; exit 2; }
[[ "$precision" =~ ^(float32|int8)$ ]] || { echo "bench-es: --precision must be float32 or int8" >&2; exit 2; }

# Progress goes to stderr, the figures alone to stdout (fd 3), so that `bin/bench-es --json > figures.json` works.
exec 3>&1 1>&2
# Before this run adds its own: the figures are only comparable on an otherwise idle machine.
load="$(cut -d ' ' -f 1-3 /proc/loadavg)"
cores="$(nproc)"
work="$root/.bench"
data="$work/data"
clients=4
bulks=10

es_build
if [ ! -f "$work/models/$model/weights.hdf5" ]; then
  echo "bench-es: making the synthetic $model model (bin/elmo synth, kept in .bench/models)..."
  "$root/bin/elmo" synth --preset "$model" --seed 1 --out "$work/models/$model" >/dev/null
fi
es_prepare "$work/node"
es_install_model "$model" "$work/models/$model"
echo "{\"weight_precision\": \"$precision\"}" >"$es_home/config/elmo/$model/settings.json"

# Passages and queries, the same on every run and machine: no random numbers, only the corpus.
rm -rf "$data"
mkdir -p "$data"
# passages FIRST COUNT: bulk lines for passages FIRST.. of about 100 tokens. Passage i starts at sentence i mod n and
# takes every (1 + i div n)-th sentence, so 4n passages are all different; it stops at the sentence count closest to
# 100 tokens, tokens estimated like the elmo tokenizer (punctuation apart); _elmo/stats gives the exact count.
passages() {
  awk -F '\t' -v first="$1" -v count="$2" -v n=0 '
    function tokens(s) { gsub(/[^[:alnum:][:space:]'"'"']/, " & ", s); gsub(/'"'"'/, " '"'"'", s); return split(s, parts, " ") }
    { size[n] = tokens($3); text[n] = $3; gsub(/[\\"]/, "\\\\&", text[n]); n++ }
    END {
      for (i = first; i < first + count; i++) {
        j = i % n; step = 1 + int(i / n); body = ""; t = 0
        do { body = body (t ? " " : "") text[j]; t += size[j]; j = (j + step) % n } while (t + size[j] / 2 < 100)
        printf "{\"index\":{}}\n{\"body\":\"%s\"}\n", body
      }
    }' "$root/src/demo/corpus.tsv"
}
passages 0 "$docs" >"$data/passages.ndjson"
split -l $((2 * docs / bulks)) -d -a 3 "$data/passages.ndjson" "$data/bulk-"
# Warm-up passages (JIT, ONNX Runtime, the token cache) are others than the measured ones.
passages "$docs" 100 >"$data/warmup.ndjson"
# Query i: the first 10 words of sentence 7i mod n (7 is prime to the corpus size, so the queries differ), one JSON
# string a line.
awk -F '\t' -v count="$queries" '
  { s[n++] = $3 }
  END {
    for (q = 0; q < count; q++) {
      k = split(s[(7 * q) % n], w, " "); text = w[1]
      for (x = 2; x <= (k < 10 ? k : 10); x++) text = text " " w[x]
      gsub(/[\\"]/, "\\\\&", text)
      printf "\"%s\"\n", text
    }
  }' "$root/src/demo/corpus.tsv" >"$data/queries.txt"
echo "{\"model_id\": \"$model\", \"texts\": [$(paste -sd , "$data/queries.txt")]}" >"$data/embed-queries.json"

# call METHOD PATH [BODY]: the response body; fails on an HTTP error. BODY is JSON, or @file for a file.
call() {
  local type=application/json
  [[ "$2" == *_bulk* ]] && type=application/x-ndjson
  curl -sS --fail-with-body --max-time 900 -X "$1" -H "Content-Type: $type" ${3:+--data-binary "$3"} "$es_url$2"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# model_stat NAME: the model's counter NAME in _elmo/stats (one node, one model).
model_stat() { call GET /_elmo/stats | grep -o "\"$1\":[0-9]*" | cut -d: -f2; }
new_index() {
  call DELETE "/$1?ignore_unavailable=true" >/dev/null
  call PUT "/$1" '{"settings": {"number_of_shards": 1, "number_of_replicas": 0}, "mappings": {"properties": {
    "body": {"type": "text"}, "body_vector": {"type": "dense_vector", "dims": '"$dims"', "similarity": "cosine"}}}}' >/dev/null
}
check_bulk() {
  grep -q '"errors":false' "$1" || { echo "bench-es: a bulk request failed: $(head -c 2000 "$1")" >&2; exit 1; }
}
# percentiles FILE: "median p99" of the numbers in FILE, nearest rank, as Evaluation.percentile in the CLI.
percentiles() {
  sort -g "$1" | awk '{ v[NR] = $1 } function at(p) { r = p * NR; i = int(r); if (i < r) i++; return v[i] }
    END { printf "%.1f %.1f", at(0.5), at(0.99) }'
}
# ingest SHAPE: sends the passages in one bulk (SHAPE single) or in $bulks bulks from $clients clients (SHAPE
# concurrent) into a new index; sets elapsed[SHAPE] (ms until they are searchable) and runs[SHAPE] (encoder runs).
ingest() {
  local bulk="/bench/_bulk?pipeline=elmo-bench&filter_path=errors,items.*.error" start batches
  new_index bench
  batches="$(model_stat batches)"
  start="$(now_ms)"
  rm -rf "$data/responses"
  mkdir "$data/responses"
  if [ "$1" = single ]; then
    call POST "$bulk" "@$data/passages.ndjson" >"$data/responses/single"
  else
    (cd "$data" && printf '%s\n' bulk-??? | xargs -P "$clients" -I{} curl -sS --fail-with-body --max-time 900 \
      -H 'Content-Type: application/x-ndjson' --data-binary @{} -o responses/{} "$es_url$bulk")
  fi
  call POST /bench/_refresh >/dev/null
  elapsed[$1]=$(($(now_ms) - start))
  for response in "$data"/responses/*; do check_bulk "$response"; done
  runs[$1]=$(($(model_stat batches) - batches))
}
# timed_search KIND INDEX BODY: one search; appends its milliseconds to KIND.ms. On an HTTP error it prints the
# response, sets search_error to the status and Elasticsearch's first reason, and returns 1.
timed_search() {
  local code seconds reason
  read -r code seconds < <(curl -sS -o "$data/$1.json" -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
    --data-binary "$3" "$es_url/$2/_search")
  if [ "$code" != 200 ]; then
    echo "bench-es: $1 search failed ($code): $(head -c 2000 "$data/$1.json")" >&2
    reason="$(grep -o '"reason":"[^"]*"' "$data/$1.json" | head -n 1 | cut -d '"' -f 4)"
    search_error="HTTP $code${reason:+: $reason}"
    return 1
  fi
  awk -v s="$seconds" 'BEGIN { printf "%.3f\n", s * 1000 }' >>"$data/$1.ms"
}

# knn KIND: searches each query one at a time, with the elmo query_vector_builder (KIND builder) or the precomputed
# query_vector (KIND vector): a first pass warms up the JIT and caches, the second is timed. Sets latency[KIND] to
# "median p99" ms, and encoder_ms[KIND] to the mean encoder time per search (_elmo/stats), 0 without a builder.
knn() {
  local text vector query millis
  for _ in warm-up timed; do
    : >"$data/$1.ms"
    millis="$(model_stat time_in_millis)"
    while IFS= read -r text && IFS= read -r vector <&3; do
      if [ "$1" = builder ]; then
        query="\"query_vector_builder\": {\"elmo\": {\"model_id\": \"$model\", \"text\": $text}}"
      else
        query="\"query_vector\": $vector"
      fi
      timed_search "$1" bench \
        "{\"size\": 10, \"_source\": false, \"knn\": {\"field\": \"body_vector\", \"k\": 10, \"num_candidates\": 100, $query}}" || exit 1
    done <"$data/queries.txt" 3<"$data/vectors.txt"
  done
  latency[$1]="$(percentiles "$data/$1.ms")"
  encoder_ms[$1]="$(awk -v ms=$(($(model_stat time_in_millis) - millis)) -v q="$queries" 'BEGIN { printf "%.1f", ms / q }')"
}

# rescore KIND: each query on the token-vector index, all with a window of 100: a BM25 match alone (KIND bm25), its
# top 100 re-ranked by the elmo rescorer (KIND cosine: pooled vectors; maxsim: token vectors, both with raw scores
# summed, "normalization": "none", as Elasticsearch's query rescorer adds scores; maxsim_zscore: token vectors, MaxSim
# and BM25 z-scored within the window before they are summed, the rescorer's default), or the elmo_fusion retriever over
# the BM25 match and knn with the elmo builder (KIND fusion: linear, z-scores, weights 1). Warm-up pass, then timed.
# Sets latency[KIND], or failed[KIND] to the reason of its first failed search (the other kinds still run).
rescore() {
  local text elmo body
  for _ in warm-up timed; do
    : >"$data/$1.ms"
    while IFS= read -r text; do
      elmo="\"model_id\": \"$model\", \"text\": $text"
      body="{\"size\": 10, \"_source\": false, \"query\": {\"match\": {\"body\": $text}}"
      case "$1" in
        bm25) body="$body}" ;;
        cosine) body="$body, \"rescore\": {\"window_size\": 100, \"elmo\": {$elmo, \"field\": \"body_vector\", \"normalization\": \"none\"}}}" ;;
        maxsim) body="$body, \"rescore\": {\"window_size\": 100, \"elmo\": {$elmo, \"field\": \"body_tokens\", \"mode\": \"maxsim\",
          \"normalization\": \"none\"}}}" ;;
        maxsim_zscore) body="$body, \"rescore\": {\"window_size\": 100, \"elmo\": {$elmo, \"field\": \"body_tokens\", \"mode\": \"maxsim\",
          \"normalization\": \"zscore\"}}}" ;;
        fusion) body="{\"size\": 10, \"_source\": false, \"retriever\": {\"elmo_fusion\": {\"method\": \"linear\",
          \"normalizer\": \"zscore\", \"rank_window_size\": 100, \"retrievers\": [
          {\"retriever\": {\"standard\": {\"query\": {\"match\": {\"body\": $text}}}}},
          {\"retriever\": {\"knn\": {\"field\": \"body_vector\", \"k\": 100, \"num_candidates\": 100,
            \"query_vector_builder\": {\"elmo\": {$elmo}}}}}]}}}" ;;
      esac
      timed_search "$1" bench-tokens "$body" || { failed[$1]="$search_error"; return; }
    done <"$data/queries.txt"
  done
  latency[$1]="$(percentiles "$data/$1.ms")"
}

# token_vectors_index: the passages again, with int8 token vectors beside the pooled vector, for the rescore timings.
token_vectors_index() {
  call PUT /_ingest/pipeline/elmo-bench-tokens "{\"processors\": [{\"elmo\": {\"model_id\": \"$model\", \"field\": \"body\",
    \"target_field\": \"body_vector\", \"token_vectors_field\": \"body_tokens\"}}]}" >/dev/null
  call DELETE "/bench-tokens?ignore_unavailable=true" >/dev/null
  call PUT /bench-tokens '{"settings": {"number_of_shards": 1, "number_of_replicas": 0}, "mappings": {
    "_source": {"excludes": ["body_tokens"]}, "properties": {"body": {"type": "text"},
    "body_vector": {"type": "dense_vector", "dims": '"$dims"', "similarity": "cosine"},
    "body_tokens": {"type": "elmo_token_vectors", "dims": '"$dims"', "encoding": "int8"}}}}' >/dev/null
  call POST "/bench-tokens/_bulk?pipeline=elmo-bench-tokens&refresh=true&filter_path=errors,items.*.error" \
    "@$data/passages.ndjson" >"$data/tokens.json"
  check_bulk "$data/tokens.json"
}

declare -A elapsed runs latency encoder_ms results failed
ranking_kinds=(bm25 cosine maxsim maxsim_zscore fusion)
trap es_stop EXIT
for batching in true false; do
  es_start elmo-bench -E elmo.batching="$batching"
  call PUT /_ingest/pipeline/elmo-bench \
    "{\"processors\": [{\"elmo\": {\"model_id\": \"$model\", \"field\": \"body\", \"target_field\": \"body_vector\"}}]}" >/dev/null
  # Also waits for the model to load (the registry blocks the first request until then) and warms ONNX Runtime up.
  call POST /_elmo/_embed "@$data/embed-queries.json" >"$data/vectors.json"
  dims="$(grep -o '"dims":[0-9]*' "$data/vectors.json" | cut -d: -f2)"
  grep -o '"vector":\[[^]]*\]' "$data/vectors.json" | cut -d: -f2 >"$data/vectors.txt"
  new_index bench-warmup
  call POST "/bench-warmup/_bulk?pipeline=elmo-bench&refresh=true&filter_path=errors,items.*.error" "@$data/warmup.ndjson" \
    >"$data/warmup.json"
  check_bulk "$data/warmup.json"
  texts="$(model_stat texts)"
  tokens="$(model_stat tokens)"
  ingest single
  tokens_per_doc="$(awk -v t=$(($(model_stat tokens) - tokens)) -v d=$(($(model_stat texts) - texts)) 'BEGIN { printf "%.1f", t / d }')"
  ingest concurrent
  knn builder
  knn vector
  if [ "$batching" = true ]; then
    token_vectors_index
    for kind in "${ranking_kinds[@]}"; do
      rescore "$kind"
    done
  fi
  es_check_entitlements
  es_stop
  for shape in single concurrent; do
    results[$batching.$shape.docs_per_s]="$(awk -v d="$docs" -v ms="${elapsed[$shape]}" 'BEGIN { printf "%.1f", d * 1000 / ms }')"
    results[$batching.$shape.runs]="${runs[$shape]}"
  done
  for kind in builder vector; do
    read -r results[$batching.$kind.median] results[$batching.$kind.p99] <<<"${latency[$kind]}"
  done
  results[$batching.encoder_ms]="${encoder_ms[builder]}"
done

# ranking_ms KIND: the kind's "median / p99" ms, or "failed (reason)".
ranking_ms() {
  local median p99
  if [ -n "${failed[$1]:-}" ]; then
    echo "failed (${failed[$1]})"
  else
    read -r median p99 <<<"${latency[$1]}"
    echo "$median / $p99"
  fi
}
# ranking_json KIND: {"median": ms, "p99": ms}, or {"error": "reason"}.
ranking_json() {
  local median p99
  if [ -n "${failed[$1]:-}" ]; then
    printf '{"error": "%s"}' "${failed[$1]//[\"\\]/}"
  else
    read -r median p99 <<<"${latency[$1]}"
    printf '{"median": %s, "p99": %s}' "$median" "$p99"
  fi
}

# report: the figures, as a markdown table or with --json one JSON object.
report() {
  if [ "$json" = 1 ]; then
    printf '{"elasticsearch": "%s", "model": "%s", "weight_precision": "%s", "dims": %s, "cores": %s, "load_average": [%s], "docs": %s, "tokens_per_doc": %s' \
      "$es_version" "$model" "$precision" "$dims" "$cores" "${load// /, }" "$docs" "$tokens_per_doc"
    printf ', "bulks": %s, "clients": %s, "queries": %s' "$bulks" "$clients" "$queries"
    for batching in true false; do
      printf ', "batching_%s": {"one_bulk": {"docs_per_s": %s, "encoder_runs": %s}, "bulks": {"docs_per_s": %s, "encoder_runs": %s}' \
        "$batching" "${results[$batching.single.docs_per_s]}" "${results[$batching.single.runs]}" \
        "${results[$batching.concurrent.docs_per_s]}" "${results[$batching.concurrent.runs]}"
      printf ', "knn_builder_ms": {"median": %s, "p99": %s}, "query_encoder_ms_mean": %s, "knn_vector_ms": {"median": %s, "p99": %s}}' \
        "${results[$batching.builder.median]}" "${results[$batching.builder.p99]}" "${results[$batching.encoder_ms]}" \
        "${results[$batching.vector.median]}" "${results[$batching.vector.p99]}"
    done
    printf ', "rescore_window_100_ms": {"bm25_alone": %s, "cosine": %s, "maxsim_int8": %s, "maxsim_int8_zscore": %s, "elmo_fusion_linear_zscore": %s}' \
      "$(ranking_json bm25)" "$(ranking_json cosine)" "$(ranking_json maxsim)" "$(ranking_json maxsim_zscore)" "$(ranking_json fusion)"
    echo "}"
    return
  fi
  cat <<EOF

Elasticsearch $es_version, 1 node on 127.0.0.1, model $model (synthetic, $dims dims, $precision weights), $cores cores, load average $load before the run
$docs passages of $tokens_per_doc tokens on average; $queries knn searches one at a time (k 10, num_candidates 100)

| | batching on | batching off |
|---|---|---|
| ingest, 1 bulk of $docs: docs/s | ${results[true.single.docs_per_s]} | ${results[false.single.docs_per_s]} |
| encoder runs (\`_elmo/stats\` batches) | ${results[true.single.runs]} | ${results[false.single.runs]} |
| ingest, $bulks bulks of $((docs / bulks)) from $clients clients: docs/s | ${results[true.concurrent.docs_per_s]} | ${results[false.concurrent.docs_per_s]} |
| encoder runs | ${results[true.concurrent.runs]} | ${results[false.concurrent.runs]} |
| knn, \`elmo\` query_vector_builder: median / p99 ms | ${results[true.builder.median]} / ${results[true.builder.p99]} | ${results[false.builder.median]} / ${results[false.builder.p99]} |
| of which the query's encoder run (\`_elmo/stats\`): mean ms | ${results[true.encoder_ms]} | ${results[false.encoder_ms]} |
| knn, precomputed query_vector: median / p99 ms | ${results[true.vector.median]} / ${results[true.vector.p99]} | ${results[false.vector.median]} / ${results[false.vector.p99]} |

BM25 match of the same queries on the passages with int8 token vectors (batching on), top 100 re-ranked or fused:

| | median / p99 ms |
|---|---|
| BM25 alone | $(ranking_ms bm25) |
| + \`elmo\` rescorer, cosine of pooled vectors | $(ranking_ms cosine) |
| + \`elmo\` rescorer, \`maxsim\` over int8 token vectors | $(ranking_ms maxsim) |
| + \`elmo\` rescorer, \`maxsim\`, \`"normalization": "zscore"\` | $(ranking_ms maxsim_zscore) |
| \`elmo_fusion\` linear (z-scores) of BM25 and \`knn\` (k 100) with the \`elmo\` builder | $(ranking_ms fusion) |
EOF
}
report >&3
