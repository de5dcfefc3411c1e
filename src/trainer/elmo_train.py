#!/usr/bin/python3
"""Train (or fine-tune) an ELMo biLM and write it as bilm-tf options.json + weights.hdf5.

  /usr/bin/python3 src/trainer/elmo_train.py --corpus ../shared/corpora/gutenberg --out models/gutenberg \
      --preset demo --vocab-size 30000 --max-minutes 50

See docs/training.md. Training is sentence-level: every sentence (cut to --unroll tokens) is framed by <S> and
</S> and both directions start from a zero state, exactly as the Java encoder runs it (stateless). The forward LM
predicts token t+1 from the top layer at t, the backward LM token t-1; both share one adaptive softmax
(torch.nn.AdaptiveLogSoftmaxWithLoss) over a frequency-capped word vocabulary with <S>, </S> and <UNK>.
"""
import argparse
import collections
import json
import math
import os
import pickle
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elmo_text  # noqa: E402
from elmo_model import BOS, EOS, UNK, PRESETS, ElmoBiLm, char_ids, make_options  # noqa: E402


def log(msg):
    print(time.strftime("%H:%M:%S") + " " + msg, flush=True)


# ---- data --------------------------------------------------------------------------------------------------------

class Corpus:
    """Sentences as arrays of type ids; type 0 is <S>, 1 is </S>; every distinct token string has a type."""

    def __init__(self):
        self.types = [BOS, EOS]
        self.type_id = {BOS: 0, EOS: 1}
        self.sentences = []
        self.files = []

    def add(self, file_index, tokens, unroll):
        ids = []
        for t in tokens:
            k = self.type_id.get(t)
            if k is None:
                k = self.type_id[t] = len(self.types)
                self.types.append(t)
            ids.append(k)
        pieces = -(-len(ids) // unroll)  # a long text is cut into equal pieces of at most unroll tokens
        for p in range(pieces):
            piece = ids[p * len(ids) // pieces:(p + 1) * len(ids) // pieces]
            self.sentences.append((file_index, np.asarray(piece, dtype=np.int32)))


def load_corpus(paths, unroll, max_tokens, cache, unit="paragraph"):
    key = {"paths": [os.path.abspath(p) for p in paths], "unroll": unroll, "max_tokens": max_tokens, "unit": unit,
           "v": 2}
    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            stored_key, state = pickle.load(f)
        if stored_key == key:
            corpus = Corpus()
            corpus.__dict__.update(state)
            log("corpus: %d sentences, %d types (cached in %s)" % (len(corpus.sentences), len(corpus.types), cache))
            return corpus
    corpus = Corpus()
    files = elmo_text.corpus_files(paths)
    if not files:
        sys.exit("elmo_train: no corpus files under %s" % paths)
    corpus.files = files
    n_tokens = 0
    t0 = time.time()
    units = elmo_text.tokenized_paragraphs if unit == "paragraph" else elmo_text.tokenized_sentences
    for k, toks in units(paths):
        corpus.add(k, toks, unroll)
        n_tokens += len(toks)
        if max_tokens and n_tokens >= max_tokens:
            break
    log("corpus: %d files, %d sentences, %d tokens, %d types (tokenized in %.0f s)"
        % (len(files), len(corpus.sentences), n_tokens, len(corpus.types), time.time() - t0))
    if cache:
        os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
        with open(cache, "wb") as f:
            pickle.dump((key, corpus.__dict__), f, protocol=4)
    return corpus


def split_heldout(n, fraction, seed, block=50):
    """Deterministic held-out blocks of consecutive sentences (less leakage than single sentences)."""
    rng = random.Random(seed)
    heldout = []
    train = []
    for start in range(0, n, block):
        idx = range(start, min(n, start + block))
        (heldout if rng.random() < fraction else train).extend(idx)
    return train, heldout


def build_vocab(corpus, train_idx, size):
    counts = collections.Counter()
    for i in train_idx:
        counts.update(corpus.sentences[i][1].tolist())
    counts.pop(0, None)
    counts.pop(1, None)
    words = [corpus.types[t] for t, _ in counts.most_common(max(0, size - 3))]
    return [BOS, EOS, UNK] + words


def make_batches(sentences, idx, batch_tokens, seed):
    """Shuffled batches of similar-length sentences with about batch_tokens tokens each."""
    rng = random.Random(seed)
    idx = list(idx)
    rng.shuffle(idx)
    batches = []
    pool = 100 * max(1, batch_tokens // 20)
    for s in range(0, len(idx), pool):
        chunk = sorted(idx[s:s + pool], key=lambda i: len(sentences[i][1]))
        cur, cur_max = [], 0
        for i in chunk:
            n = len(sentences[i][1]) + 2
            if cur and max(cur_max, n) * (len(cur) + 1) > batch_tokens:
                batches.append(cur)
                cur, cur_max = [], 0
            cur.append(i)
            cur_max = max(cur_max, n)
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


class Batcher:
    def __init__(self, corpus, vocab, max_chars, device):
        self.corpus = corpus
        self.device = device
        word_id = {w: k for k, w in enumerate(vocab)}
        unk = word_id[UNK]
        self.type_to_word = torch.tensor([word_id.get(t, unk) for t in corpus.types], dtype=torch.long)
        self.type_to_word[0] = word_id[BOS]
        self.type_to_word[1] = word_id[EOS]
        self.type_chars = torch.tensor([char_ids(t, max_chars) for t in corpus.types], dtype=torch.int16)

    def tensors(self, batch):
        seqs = [self.corpus.sentences[i][1] for i in batch]
        T = max(len(s) for s in seqs) + 2
        types = torch.zeros(len(seqs), T, dtype=torch.long)
        lengths = torch.tensor([len(s) + 2 for s in seqs], dtype=torch.long)
        for b, s in enumerate(seqs):
            types[b, 1:len(s) + 1] = torch.from_numpy(s.astype(np.int64))
            types[b, len(s) + 1] = 1
        mask = torch.arange(T)[None, :] < lengths[:, None]
        uniq, inverse = torch.unique(types[mask], return_inverse=True)
        words = self.type_to_word[types]
        chars = self.type_chars[uniq].long()
        pos = torch.zeros(len(seqs), T, dtype=torch.long)
        pos[mask] = inverse
        d = self.device
        return chars.to(d), pos.to(d), lengths.to(d), words.to(d), mask.to(d)


# ---- model + loss ------------------------------------------------------------------------------------------------

class BiLmTrainer(nn.Module):
    def __init__(self, options, vocab_size, dropout):
        super().__init__()
        self.bilm = ElmoBiLm(options)
        P = options["lstm"]["projection_dim"]
        cutoffs = [c for c in (2000, 10000, 40000) if c < vocab_size - 1]
        if not cutoffs:
            cutoffs = [max(1, vocab_size // 2)]
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(P, vocab_size, cutoffs=cutoffs, div_value=4.0)
        self.dropout = nn.Dropout(dropout)

    def forward(self, chars, pos, lengths, words, mask):
        """Summed NLL and target counts per direction."""
        B, T = pos.shape
        uniq_emb = self.bilm.token_embedding(chars)
        tok = uniq_emb[pos]  # [B, T, P]
        tok = self.dropout(tok)
        top = self.bilm.lstm_forward(tok, lengths)[-1]  # [2, B, T, P]
        top = self.dropout(top)
        # forward: rows 0..n-2 predict rows 1..n-1; backward: rows 1..n-1 predict rows 0..n-2
        valid = mask[:, 1:]
        hf = top[0][:, :-1][valid]
        tf = words[:, 1:][valid]
        hb = top[1][:, 1:][valid]
        tb = words[:, :-1][valid]
        out = self.softmax(torch.cat([hf, hb]), torch.cat([tf, tb])).output  # log p of each target
        n = hf.shape[0]
        return -out[:n].sum(), -out[n:].sum(), n


def evaluate(model, batcher, batches):
    model.eval()
    nll_f = nll_b = 0.0
    count = 0
    with torch.no_grad():
        for batch in batches:
            lf, lb, n = model(*batcher.tensors(batch))
            nll_f += float(lf)
            nll_b += float(lb)
            count += n
    model.train()
    return math.exp(nll_f / max(1, count)), math.exp(nll_b / max(1, count)), count


# ---- main --------------------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", nargs="+", required=True, help="text files or directories (.txt books, .jsonl BEIR corpus)")
    p.add_argument("--out", required=True, help="output directory: options.json, weights.hdf5, checkpoint.pt, train.json")
    p.add_argument("--preset", choices=sorted(PRESETS), default="demo")
    p.add_argument("--projection-dim", type=int)
    p.add_argument("--dim", type=int)
    p.add_argument("--filters", help='JSON list of [width, count], e.g. "[[1,32],[2,32],[3,64]]"')
    p.add_argument("--char-dim", type=int)
    p.add_argument("--n-highway", type=int)
    p.add_argument("--n-layers", type=int, default=2)
    p.add_argument("--max-characters-per-token", type=int, default=50)
    p.add_argument("--cell-clip", type=float, default=3.0)
    p.add_argument("--proj-clip", type=float, default=3.0)
    p.add_argument("--vocab-size", type=int, default=30000)
    p.add_argument("--steps", type=int, help="stop after this many optimizer steps (in total, across resumes)")
    p.add_argument("--epochs", type=float, default=1.0, help="passes over the training sentences (if no --steps)")
    p.add_argument("--max-minutes", type=float, help="stop after this much training time (in total, across resumes)")
    p.add_argument("--batch-size", type=int, default=32, help="sequences per batch (x (unroll + 2) gives the token budget)")
    p.add_argument("--unroll", type=int, default=50,
                   help="longest training sequence in tokens; a longer paragraph/sentence is cut into equal pieces")
    p.add_argument("--unit", choices=["paragraph", "sentence"], default="paragraph",
                   help="training sequences: paragraphs (book blocks, corpus passages; like the passages the index "
                        "embeds) or single sentences")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (linear warm-up, then linear decay to 10%%)")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--clip-norm", type=float, default=5.0)
    p.add_argument("--resume", help="checkpoint.pt to continue from (model, softmax, optimizer, step, data order)")
    p.add_argument("--init-from", help="directory with options.json + weights.hdf5 to fine-tune (official or ours)")
    p.add_argument("--keep-vocab", action="store_true",
                   help="with --init-from: reuse its lm_head.pt (vocabulary + softmax) instead of a new vocabulary")
    p.add_argument("--freeze-encoder-steps", type=int, default=0,
                   help="train only the softmax for this many first steps (useful with --init-from)")
    p.add_argument("--heldout-fraction", type=float, default=0.01)
    p.add_argument("--heldout-tokens", type=int, default=50000, help="held-out tokens used for perplexity")
    p.add_argument("--max-tokens", type=int, help="read at most this many corpus tokens")
    p.add_argument("--cache", help="pickle of the tokenized corpus (default OUT/corpus.pkl)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--eval-every", type=int, default=1000)
    p.add_argument("--checkpoint-every", type=int, default=1000)
    return p.parse_args(argv)


def options_from_args(a):
    base = dict(PRESETS[a.preset])
    for key, val in (("projection_dim", a.projection_dim), ("dim", a.dim), ("n_highway", a.n_highway),
                     ("char_dim", a.char_dim)):
        if val is not None:
            base[key] = val
    if a.filters:
        base["filters"] = json.loads(a.filters)
    return make_options(base["projection_dim"], base["dim"], base["filters"], base["n_highway"], base["char_dim"],
                        n_layers=a.n_layers, max_characters_per_token=a.max_characters_per_token,
                        cell_clip=a.cell_clip, proj_clip=a.proj_clip)


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("elmo_train: --device cuda but torch sees no CUDA device")
    os.makedirs(a.out, exist_ok=True)

    ckpt = torch.load(a.resume, map_location="cpu") if a.resume else None
    if ckpt:
        options = ckpt["options"]
    elif a.init_from:
        with open(os.path.join(a.init_from, "options.json")) as f:
            options = json.load(f)
    else:
        options = options_from_args(a)
    unroll = a.unroll
    corpus = load_corpus(a.corpus, unroll, a.max_tokens, a.cache or os.path.join(a.out, "corpus.pkl"), a.unit)
    train_idx, held_idx = split_heldout(len(corpus.sentences), a.heldout_fraction, a.seed)
    if not held_idx:
        held_idx = train_idx[-max(1, len(train_idx) // 100):]
        train_idx = train_idx[:len(train_idx) - len(held_idx)]

    head = None
    if ckpt:
        vocab = ckpt["vocab"]
    elif a.init_from and a.keep_vocab:
        head = torch.load(os.path.join(a.init_from, "lm_head.pt"), map_location="cpu")
        vocab = head["vocab"]
    else:
        vocab = build_vocab(corpus, train_idx, a.vocab_size)
    model = BiLmTrainer(options, len(vocab), a.dropout)
    if a.init_from and not ckpt:
        model.bilm = ElmoBiLm.load_bilm(os.path.join(a.init_from, "options.json"),
                                        os.path.join(a.init_from, "weights.hdf5"))
        if head:
            model.softmax.load_state_dict(head["softmax"])
        log("fine-tuning from %s (%s vocabulary)" % (a.init_from, "its" if head else "a new"))
    if ckpt:
        model.load_state_dict(ckpt["model"])
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    if ckpt:
        opt.load_state_dict(ckpt["optimizer"])
    step = ckpt["step"] if ckpt else 0
    trained_s = ckpt["trained_s"] if ckpt else 0.0
    history = ckpt.get("history", []) if ckpt else []

    batch_tokens = a.batch_size * (unroll + 2)
    batcher = Batcher(corpus, vocab, options["char_cnn"]["max_characters_per_token"], device)
    batches_per_epoch = len(make_batches(corpus.sentences, train_idx, batch_tokens, a.seed))
    held_batches = []
    held_tokens = 0
    for batch in make_batches(corpus.sentences, held_idx, batch_tokens, a.seed + 7):
        held_batches.append(batch)
        held_tokens += sum(len(corpus.sentences[i][1]) + 1 for i in batch)
        if held_tokens >= a.heldout_tokens:
            break
    total_steps = a.steps or int(math.ceil(a.epochs * batches_per_epoch))
    n_params = sum(p.numel() for p in model.bilm.parameters())
    train_tokens = sum(len(corpus.sentences[i][1]) for i in train_idx)
    log("model: P=%d C=%d F=%d, %d encoder parameters (%.1f MB float32); vocab %d; %d train tokens, "
        "%d batches/epoch; held-out %d tokens; %d steps%s; device %s, %d threads"
        % (model.bilm.P, model.bilm.C, model.bilm.F, n_params, n_params * 4 / 1e6, len(vocab), train_tokens,
           batches_per_epoch, held_tokens, total_steps,
           (", at most %.1f min" % a.max_minutes) if a.max_minutes else "", device, a.threads))

    def save(final=False):
        model.bilm.save_bilm(a.out)
        torch.save({"vocab": vocab, "softmax": model.softmax.state_dict()}, os.path.join(a.out, "lm_head.pt"))
        torch.save({"options": options, "vocab": vocab, "model": model.state_dict(), "optimizer": opt.state_dict(),
                    "step": step, "trained_s": trained_s, "history": history, "args": vars(a)},
                   os.path.join(a.out, "checkpoint.pt.tmp"))
        os.replace(os.path.join(a.out, "checkpoint.pt.tmp"), os.path.join(a.out, "checkpoint.pt"))
        with open(os.path.join(a.out, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
        with open(os.path.join(a.out, "train.json"), "w") as f:
            json.dump({"step": step, "trained_s": round(trained_s, 1), "history": history, "args": vars(a),
                       "corpus_files": len(corpus.files), "train_tokens": train_tokens,
                       "heldout_tokens": held_tokens, "vocab_size": len(vocab), "encoder_parameters": n_params,
                       "final": final}, f, indent=1)

    if step == 0:
        pf, pb, n = evaluate(model, batcher, held_batches)
        history.append({"step": 0, "heldout_ppl_forward": round(pf, 2), "heldout_ppl_backward": round(pb, 2)})
        log("step 0: held-out perplexity forward %.1f backward %.1f (%d targets)" % (pf, pb, n))

    model.train()
    t_start = time.time() - trained_s
    tokens_done = 0
    t_window = time.time()
    sum_f = sum_b = 0.0
    sum_n = 0
    first_loss = None
    epoch = step // batches_per_epoch
    order = make_batches(corpus.sentences, train_idx, batch_tokens, a.seed + 1000 * epoch)
    frozen = None
    while step < total_steps:
        if a.max_minutes and time.time() - t_start >= 60 * a.max_minutes:
            log("time limit reached (%.1f min)" % a.max_minutes)
            break
        e = step // batches_per_epoch
        if e != epoch:
            epoch = e
            order = make_batches(corpus.sentences, train_idx, batch_tokens, a.seed + 1000 * epoch)
        batch = order[step % batches_per_epoch]
        want_frozen = step < a.freeze_encoder_steps
        if want_frozen != frozen:
            for p in model.bilm.parameters():
                p.requires_grad_(not want_frozen)
            frozen = want_frozen
        progress = step / total_steps
        if a.max_minutes:
            progress = max(progress, (time.time() - t_start) / (60 * a.max_minutes))
        lr = a.lr * min(1.0, (step + 1) / max(1, a.warmup)) * (1.0 - 0.9 * min(1.0, progress))
        for g in opt.param_groups:
            g["lr"] = lr
        lf, lb, n = model(*batcher.tensors(batch))
        loss = (lf + lb) / (2 * n)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), a.clip_norm)
        opt.step()
        step += 1
        sum_f += float(lf)
        sum_b += float(lb)
        sum_n += n
        tokens_done += n
        if first_loss is None:
            first_loss = float(loss)
        if step % a.log_every == 0 or step == total_steps:
            now = time.time()
            trained_s = now - t_start
            tps = tokens_done / max(1e-9, now - t_window)
            left_steps = (total_steps - step) * (now - t_window) / max(1, a.log_every if step % a.log_every == 0 else 1)
            eta = left_steps
            if a.max_minutes:
                eta = min(eta, 60 * a.max_minutes - trained_s)
            train_f, train_b = math.exp(sum_f / sum_n), math.exp(sum_b / sum_n)
            if "first_train_loss" not in history[0]:
                history[0]["first_train_loss"] = round(first_loss, 4)
            log("step %d/%d epoch %.2f loss %.3f (train ppl fwd %.1f bwd %.1f) lr %.2e %.0f tokens/s ETA %s"
                % (step, total_steps, step / batches_per_epoch, (sum_f + sum_b) / (2 * sum_n), train_f, train_b, lr,
                   tps, time.strftime("%H:%M:%S", time.gmtime(max(0, eta)))))
            history.append({"step": step, "train_loss": round((sum_f + sum_b) / (2 * sum_n), 4),
                            "tokens_per_s": round(tps, 1), "elapsed_s": round(trained_s, 1)})
            sum_f = sum_b = 0.0
            sum_n = 0
            tokens_done = 0
            t_window = time.time()
        if step % a.eval_every == 0:
            pf, pb, _ = evaluate(model, batcher, held_batches)
            history.append({"step": step, "heldout_ppl_forward": round(pf, 2), "heldout_ppl_backward": round(pb, 2)})
            log("step %d: held-out perplexity forward %.1f backward %.1f" % (step, pf, pb))
            t_window = time.time()
        if step % a.checkpoint_every == 0:
            trained_s = time.time() - t_start
            save()
            log("checkpoint: %s" % os.path.join(a.out, "checkpoint.pt"))
            t_window = time.time()
    trained_s = time.time() - t_start
    pf, pb, n = evaluate(model, batcher, held_batches)
    history.append({"step": step, "heldout_ppl_forward": round(pf, 2), "heldout_ppl_backward": round(pb, 2),
                    "final": True})
    log("final (step %d, %.1f min): held-out perplexity forward %.1f backward %.1f (%d targets)"
        % (step, trained_s / 60, pf, pb, n))
    save(final=True)
    log("wrote %s/options.json, weights.hdf5, lm_head.pt, checkpoint.pt, train.json" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
