#!/usr/bin/python3
"""Center and rescale a model's token embedding (output layer 0) without changing its LSTM layers.

  /usr/bin/python3 src/trainer/recenter.py --model DIR --corpus TEXT... --out DIR2 [--tokens 200000]

A trained biLM's char-CNN token embedding has a large common component and a scale far above the LSTM layers'
(which proj_clip bounds): in the default average of the three layers it dominates the cosine of every pair of
tokens. This subtracts the mean token embedding over corpus tokens (b_proj) and divides by a scale that gives
layer 0 the mean vector norm of the top LSTM layer (W_proj), and folds the inverse into the first LSTM layer
(its input weights and bias), so layers 1 and 2 are unchanged up to float rounding. Writes options.json +
weights.hdf5 (bilm-tf layout) to --out and prints the mean, scale and norms.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elmo_text  # noqa: E402
from elmo_model import ElmoBiLm, embed_sentences, recenter_token_embedding  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--corpus", nargs="+", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--tokens", type=int, default=200000, help="corpus tokens to average over")
    p.add_argument("--every", type=int, default=20, help="take every N-th paragraph")
    p.add_argument("--scale", default="match",
                   help='"match": give layer 0 the top layer\'s mean norm (default); or a number to divide it by (1: center only)')
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    model = ElmoBiLm.load_bilm(os.path.join(a.model, "options.json"), os.path.join(a.model, "weights.hdf5"))
    sents = []
    n = 0
    for k, (_f, toks) in enumerate(elmo_text.tokenized_paragraphs(a.corpus)):
        if k % a.every == 0:
            toks = toks[:100]
            sents.append(toks)
            n += len(toks)
            if n >= a.tokens:
                break
    layers = embed_sentences(model, sents)
    P = model.P
    tok = np.concatenate([l[0, 1:-1, :P] for l in layers]).astype(np.float64)
    top = np.concatenate([l[2, 1:-1] for l in layers]).astype(np.float64)
    mean = tok.mean(axis=0)
    centered = tok - mean
    # layer 0 is [x; x] (2P wide), the top layer [fwd; bwd]: match their mean norms
    if a.scale == "match":
        scale = float(np.linalg.norm(np.concatenate([centered, centered], 1), axis=1).mean()
                      / np.linalg.norm(top, axis=1).mean())
    else:
        scale = float(a.scale)
    recenter_token_embedding(model, mean, scale)
    model.save_bilm(a.out)
    after = embed_sentences(model, sents[:50])
    drift = max(float(np.abs(x[1:] - y[1:]).max()) for x, y in zip(layers[:50], after))
    report = {"tokens": int(tok.shape[0]), "mean_norm_before": float(np.linalg.norm(mean)),
              "layer0_mean_norm_before": float(np.linalg.norm(tok, axis=1).mean()),
              "top_layer_mean_norm": float(np.linalg.norm(top, axis=1).mean()), "scale": scale,
              "lstm_layers_max_change": drift}
    with open(os.path.join(a.out, "recenter.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
