#!/usr/bin/python3
"""How often a model's nearest passage is on the same topic: the demo corpus check of src/trainer/gutenberg-model/README.md.

  /usr/bin/python3 src/trainer/neighbours.py --model DIR [--corpus src/demo/corpus.tsv] [--mix average]

Embeds every passage of a TSV corpus (topic <tab> subtopic <tab> text) with the Java encoder (``bin/elmo embed
--output pooled --normalize``, the vectors the plugin indexes) and prints, over all passages, the share whose nearest
other passage by cosine has the same topic (top-1), the share of same-topic passages among the 5 nearest
(precision@5), and the chance rate. Plain Python: no torch needed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="folder with options.json + weights.hdf5")
    p.add_argument("--corpus", default=os.path.join(ROOT, "src/demo/corpus.tsv"))
    p.add_argument("--mix", default="average", help="bin/elmo embed --mix (average, top, or weights)")
    a = p.parse_args(argv)
    topics, texts = [], []
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            topics.append(parts[0])
            texts.append(parts[-1])
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "texts.txt")
        with open(source, "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        out = subprocess.run([os.path.join(ROOT, "bin/elmo"), "embed", "--options", os.path.join(a.model, "options.json"),
                              "--weights", os.path.join(a.model, "weights.hdf5"), "--input", source, "--output", "pooled",
                              "--normalize", "--mix", a.mix], check=True, capture_output=True, text=True).stdout
    vectors = [json.loads(line)["vector"] for line in out.splitlines()]
    top1 = 0
    at5 = 0
    for i, v in enumerate(vectors):
        ranked = sorted((j for j in range(len(vectors)) if j != i),
                        key=lambda j: -sum(x * y for x, y in zip(v, vectors[j])))
        top1 += topics[ranked[0]] == topics[i]
        at5 += sum(topics[j] == topics[i] for j in ranked[:5])
    n = len(vectors)
    chance = sum(topics.count(t) - 1 for t in topics) / (n * (n - 1))
    print("%d passages, %d topics: nearest passage on topic %.1f %%, precision@5 %.1f %% (chance %.1f %%)"
          % (n, len(set(topics)), 100.0 * top1 / n, 100.0 * at5 / (5 * n), 100.0 * chance))
    return 0


if __name__ == "__main__":
    sys.exit(main())
