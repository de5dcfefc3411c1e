#!/usr/bin/python3
"""Cross-check a trained model: the trainer's PyTorch forward pass against the Java encoder (`bin/elmo embed`).

  /usr/bin/python3 src/trainer/crosscheck.py --model DIR [--sentences FILE | --corpus PATH...] [--n 50]

Writes the PyTorch layers of each sentence (pretokenized, one per line) to DIR/crosscheck/python.hdf5, runs
`bin/elmo embed --output layers --pretokenized` on the same lines, and compares all three layers of every token
(the Java output has no <S>/</S> rows). Prints the max abs error per layer and exits 1 if any exceeds --tolerance
(default 1e-4). With --python-only it only writes sentences.txt and python.hdf5 (for a Java test to compare).
"""
import argparse
import json
import os
import subprocess
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elmo_text  # noqa: E402
from elmo_model import ElmoBiLm, embed_sentences  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def pick_sentences(a):
    if a.sentences:
        with open(a.sentences, encoding="utf-8") as f:
            return [line.split() for line in f if line.strip()][:a.n]
    out = []
    seen = 0
    for _k, toks in elmo_text.tokenized_sentences(a.corpus):
        seen += 1
        # every --every-th sentence of the reading order, 3..60 tokens
        if seen % a.every == 0 and 3 <= len(toks) <= 60:
            out.append(toks)
            if len(out) >= a.n:
                break
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="directory with options.json + weights.hdf5")
    p.add_argument("--sentences", help="pretokenized sentences, one per line, tokens separated by spaces")
    p.add_argument("--corpus", nargs="+", help="or: sample sentences from these corpus files/directories")
    p.add_argument("--n", type=int, default=50, help="number of sentences")
    p.add_argument("--every", type=int, default=97, help="with --corpus: take every N-th sentence")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--elmo", default=os.path.join(ROOT, "bin", "elmo"))
    p.add_argument("--python-only", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    if not a.sentences and not a.corpus:
        p.error("give --sentences or --corpus")
    torch.set_num_threads(a.threads)
    work = os.path.join(a.model, "crosscheck")
    os.makedirs(work, exist_ok=True)
    sents = [[t for t in s if t and " " not in t] for s in pick_sentences(a)]
    sents = [s for s in sents if s]
    sent_file = os.path.join(work, "sentences.txt")
    with open(sent_file, "w", encoding="utf-8") as f:
        for s in sents:
            f.write(" ".join(s) + "\n")
    model = ElmoBiLm.load_bilm(os.path.join(a.model, "options.json"), os.path.join(a.model, "weights.hdf5"))
    py = embed_sentences(model, sents)
    with h5py.File(os.path.join(work, "python.hdf5"), "w") as h:
        for i, arr in enumerate(py):
            h.create_dataset("sent_%d" % i, data=arr[:, 1:-1])  # without <S>/</S>, like the Java output
    if a.python_only:
        print("wrote %d sentences to %s and python.hdf5" % (len(sents), sent_file))
        return 0
    java_out = os.path.join(work, "java.jsonl")
    subprocess.run([a.elmo, "embed", "--options", os.path.join(a.model, "options.json"),
                    "--weights", os.path.join(a.model, "weights.hdf5"), "--input", sent_file,
                    "--output", "layers", "--pretokenized", "--max-tokens", "100000", "--out", java_out],
                   check=True)
    errors = np.zeros(3)
    n_tokens = 0
    with open(java_out, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    if len(lines) != len(sents):
        sys.exit("crosscheck: %d Java lines for %d sentences" % (len(lines), len(sents)))
    for i, (obj, arr) in enumerate(zip(lines, py)):
        if obj["tokens"] != sents[i]:
            sys.exit("crosscheck: sentence %d tokens differ: %s vs %s" % (i, obj["tokens"][:5], sents[i][:5]))
        j = np.asarray(obj["layers"], dtype=np.float64)
        pyt = arr[:, 1:-1].astype(np.float64)
        if j.shape != pyt.shape:
            sys.exit("crosscheck: sentence %d shape %s vs %s" % (i, j.shape, pyt.shape))
        errors = np.maximum(errors, np.abs(j - pyt).reshape(3, -1).max(axis=1))
        n_tokens += pyt.shape[1]
    scale = max(float(np.abs(a_).max()) for a_ in py)
    report = {"sentences": len(sents), "tokens": n_tokens, "max_abs_error": {
        "layer0": float(errors[0]), "lstm1": float(errors[1]), "lstm2": float(errors[2])},
        "max_abs_value": scale, "tolerance": a.tolerance, "ok": bool(errors.max() <= a.tolerance)}
    with open(os.path.join(work, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
