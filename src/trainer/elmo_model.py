"""The ELMo biLM in PyTorch, parameterised exactly as bilm-tf stores it, so export is a plain copy.

Math (see ../shared/elmo-fixtures/golden/README.md and the Java ElmoGraphBuilder):
  char ids [T,M] (AllenNLP ids, +1 shift, 0 = no token) -> char_embed (a zero row 0, then 261 learned rows)
  -> for each filter (w, n): valid conv over the M positions with W (1,w,E,n) + b, max over positions, activation
  -> n_highway x [s = sigmoid(x Wc + bc); y = s * relu(x Wt + bt) + (1 - s) * x]  (always ReLU)
  -> x W_proj + b_proj (P)
  -> per direction d (0 forward, 1 backward over the reversed sentence), per layer l:
       z = [x_t, h_{t-1}] W_0 + B, gates i, j, f, o (TF order); c = clip(sig(f + 1) c + sig(i) tanh(j), cell_clip);
       h = clip((sig(o) tanh(c)) W_P_0, proj_clip); layer l > 0 adds its input (skip connection).
Layer 0 of the output is [tok; tok]; layers 1..L are [fwd; bwd].
"""
import json
import math

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BOS_CHAR, EOS_CHAR, BOW_CHAR, EOW_CHAR, PAD_CHAR = 256, 257, 258, 259, 260
BOS, EOS, UNK = "<S>", "</S>", "<UNK>"

PRESETS = {
    # projection_dim, dim, filters, n_highway, char embedding dim
    "tiny": dict(projection_dim=16, dim=64, filters=[[1, 8], [2, 8], [3, 16], [4, 16]], n_highway=1, char_dim=8),
    "demo": dict(projection_dim=64, dim=384, filters=[[1, 32], [2, 32], [3, 64], [4, 64], [5, 64]], n_highway=1,
                 char_dim=16),
    "small": dict(projection_dim=128, dim=1024,
                  filters=[[1, 32], [2, 32], [3, 64], [4, 128], [5, 256], [6, 512], [7, 1024]], n_highway=1,
                  char_dim=16),
}


def char_ids(token, max_chars):
    """AllenNLP ELMoCharacterMapper ids of one token (with the +1 shift), max_chars long."""
    if token == BOS or token == EOS:
        ids = [PAD_CHAR + 1] * max_chars
        ids[0], ids[1], ids[2] = BOW_CHAR + 1, (BOS_CHAR if token == BOS else EOS_CHAR) + 1, EOW_CHAR + 1
        return ids
    b = token.encode("utf-8", "ignore")[:max_chars - 2]
    ids = [PAD_CHAR + 1] * max_chars
    ids[0] = BOW_CHAR + 1
    for k, c in enumerate(b):
        ids[k + 1] = c + 1
    ids[len(b) + 1] = EOW_CHAR + 1
    return ids


def make_options(projection_dim, dim, filters, n_highway, char_dim=16, n_layers=2, max_characters_per_token=50,
                 cell_clip=3.0, proj_clip=3.0, activation="relu"):
    return {
        "lstm": {"n_layers": n_layers, "dim": dim, "projection_dim": projection_dim, "use_skip_connections": True,
                 "cell_clip": cell_clip, "proj_clip": proj_clip},
        "char_cnn": {"embedding": {"dim": char_dim}, "filters": filters, "n_highway": n_highway,
                     "n_characters": 262, "max_characters_per_token": max_characters_per_token,
                     "activation": activation},
    }


class ElmoBiLm(nn.Module):
    """The encoder part of bilm-tf (everything weights.hdf5 holds); the softmax lives in the trainer."""

    def __init__(self, options):
        super().__init__()
        self.options = options
        cnn, lstm = options["char_cnn"], options["lstm"]
        E = cnn["embedding"]["dim"]
        self.max_chars = cnn["max_characters_per_token"]
        self.activation = cnn.get("activation", "relu")
        self.filters = [tuple(f) for f in cnn["filters"]]
        F_ = sum(n for _, n in self.filters)
        P, C, L = lstm["projection_dim"], lstm["dim"], lstm["n_layers"]
        self.P, self.C, self.L, self.F = P, C, L, F_
        self.cell_clip = lstm.get("cell_clip")
        self.proj_clip = lstm.get("proj_clip")
        self.skip = lstm.get("use_skip_connections", True)
        # 261 learned rows (HDF5 char_embed) behind a fixed zero row for id 0.
        self.char_embed = nn.Parameter(torch.empty(261, E).uniform_(-1.0, 1.0))
        self.cnn_w = nn.ParameterList()
        self.cnn_b = nn.ParameterList()
        for w, n in self.filters:
            self.cnn_w.append(nn.Parameter(torch.empty(1, w, E, n).uniform_(-math.sqrt(1.0 / (w * E)), math.sqrt(1.0 / (w * E)))))
            self.cnn_b.append(nn.Parameter(torch.zeros(n)))
        self.hw = nn.ParameterList()
        for _ in range(cnn["n_highway"]):
            s = math.sqrt(1.0 / F_)
            self.hw.append(nn.Parameter(torch.empty(F_, F_).normal_(0, s)))   # W_carry
            self.hw.append(nn.Parameter(torch.full((F_,), -2.0)))             # b_carry (bilm-tf: -2)
            self.hw.append(nn.Parameter(torch.empty(F_, F_).normal_(0, s)))   # W_transform
            self.hw.append(nn.Parameter(torch.zeros(F_)))                     # b_transform
        self.has_proj = F_ != P
        if self.has_proj:
            self.w_proj = nn.Parameter(torch.empty(F_, P).normal_(0, math.sqrt(1.0 / F_)))
            self.b_proj = nn.Parameter(torch.zeros(P))
        self.has_cell_proj = P != C
        # [direction][layer]
        self.W0 = nn.ParameterList()
        self.B = nn.ParameterList()
        self.WP = nn.ParameterList()
        for d in range(2):
            for l in range(L):
                lim = math.sqrt(6.0 / (2 * P + 4 * C))
                self.W0.append(nn.Parameter(torch.empty(2 * P, 4 * C).uniform_(-lim, lim)))
                self.B.append(nn.Parameter(torch.zeros(4 * C)))
                if self.has_cell_proj:
                    self.WP.append(nn.Parameter(torch.empty(C, P).normal_(0, math.sqrt(1.0 / C))))

    # ---- token encoder ----------------------------------------------------------------------------------------
    def token_embedding(self, chars):
        """chars: long [N, M] AllenNLP ids -> [N, P]."""
        table = torch.cat([self.char_embed.new_zeros(1, self.char_embed.shape[1]), self.char_embed], 0)
        x = F.embedding(chars, table).transpose(1, 2)  # [N, E, M]
        outs = []
        for (w, n), W, b in zip(self.filters, self.cnn_w, self.cnn_b):
            y = F.conv1d(x, W[0].permute(2, 1, 0), b)  # weight [n, E, w]
            y = y.max(dim=2).values
            outs.append(torch.relu(y) if self.activation == "relu" else torch.tanh(y))
        h = torch.cat(outs, 1)
        for k in range(len(self.hw) // 4):
            wc, bc, wt, bt = self.hw[4 * k:4 * k + 4]
            s = torch.sigmoid(h @ wc + bc)
            h = s * torch.relu(h @ wt + bt) + (1 - s) * h
        if self.has_proj:
            h = h @ self.w_proj + self.b_proj
        return h

    # ---- LSTM ---------------------------------------------------------------------------------------------------
    def _run_layer(self, x, layer):
        """x: [2, B, T, P] (direction 0 in order, direction 1 already reversed) -> [2, B, T, P] cell outputs."""
        P, C = self.P, self.C
        W = torch.stack([self.W0[0 * self.L + layer], self.W0[1 * self.L + layer]])  # [2, 2P, 4C]
        Bb = torch.stack([self.B[0 * self.L + layer], self.B[1 * self.L + layer]])   # [2, 4C]
        Wx, Wh = W[:, :P], W[:, P:]
        two, Bn, T, _ = x.shape
        xz = torch.matmul(x.reshape(2, Bn * T, P), Wx).reshape(2, Bn, T, 4 * C) + Bb[:, None, None, :]
        if self.has_cell_proj:
            WP = torch.stack([self.WP[0 * self.L + layer], self.WP[1 * self.L + layer]])
        h = x.new_zeros(2, Bn, P)
        c = x.new_zeros(2, Bn, C)
        outs = []
        # unbind once: indexing xz[:, :, t] in the loop would make backward O(T^2) (a zero tensor per step)
        for xz_t in xz.unbind(2):
            z = xz_t + torch.bmm(h, Wh)
            i, j, f, o = z.split(C, dim=2)
            c = torch.sigmoid(f + 1.0) * c + torch.sigmoid(i) * torch.tanh(j)
            if self.cell_clip:
                c = torch.clamp(c, -self.cell_clip, self.cell_clip)
            h = torch.sigmoid(o) * torch.tanh(c)
            if self.has_cell_proj:
                h = torch.bmm(h, WP)
            if self.proj_clip:
                h = torch.clamp(h, -self.proj_clip, self.proj_clip)
            outs.append(h)
        return torch.stack(outs, 2)

    def forward(self, chars, lengths):
        """chars: long [B, T, M] with rows <S> w1..wn </S> then zero rows; lengths: long [B] (rows incl. markers).
        Returns (token embedding [B,T,P], list of L layers each [2, B, T, P] in natural order, direction-major)."""
        Bn, T, M = chars.shape
        flat = chars.reshape(Bn * T, M)
        tok = self.token_embedding(flat).reshape(Bn, T, self.P)
        return tok, self.lstm_forward(tok, lengths)

    def lstm_forward(self, tok, lengths):
        Bn, T, P = tok.shape
        rev = reverse_index(lengths, T)  # [B, T]
        x_b = torch.gather(tok, 1, rev[:, :, None].expand(Bn, T, P))
        x = torch.stack([tok, x_b])
        layers = []
        for l in range(self.L):
            out = self._run_layer(x, l)
            if l > 0 and self.skip:
                out = out + x
            x = out
            # natural order for the backward direction
            nat_b = torch.gather(out[1], 1, rev[:, :, None].expand(Bn, T, P))
            layers.append(torch.stack([out[0], nat_b]))
        return layers

    # ---- bilm-tf files ------------------------------------------------------------------------------------------
    def hdf5_tensors(self):
        """name -> float32 numpy array, in the bilm-tf layout that ElmoWeights reads."""
        t = {"char_embed": self.char_embed}
        for i, (W, b) in enumerate(zip(self.cnn_w, self.cnn_b)):
            t["CNN/W_cnn_%d" % i] = W
            t["CNN/b_cnn_%d" % i] = b
        for k in range(len(self.hw) // 4):
            wc, bc, wt, bt = self.hw[4 * k:4 * k + 4]
            t["CNN_high_%d/W_carry" % k] = wc
            t["CNN_high_%d/b_carry" % k] = bc
            t["CNN_high_%d/W_transform" % k] = wt
            t["CNN_high_%d/b_transform" % k] = bt
        if self.has_proj:
            t["CNN_proj/W_proj"] = self.w_proj
            t["CNN_proj/b_proj"] = self.b_proj
        for d in range(2):
            for l in range(self.L):
                base = "RNN_%d/RNN/MultiRNNCell/Cell%d/LSTMCell/" % (d, l)
                t[base + "W_0"] = self.W0[d * self.L + l]
                t[base + "B"] = self.B[d * self.L + l]
                if self.has_cell_proj:
                    t[base + "W_P_0"] = self.WP[d * self.L + l]
        return {k: v.detach().float().cpu().numpy() for k, v in t.items()}

    def save_bilm(self, directory):
        import os
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "options.json"), "w") as f:
            json.dump(self.options, f, indent=2)
            f.write("\n")
        tmp = os.path.join(directory, "weights.hdf5.tmp")
        with h5py.File(tmp, "w") as h:
            for name, arr in self.hdf5_tensors().items():
                h.create_dataset(name, data=arr.astype(np.float32))
        os.replace(tmp, os.path.join(directory, "weights.hdf5"))

    @classmethod
    def load_bilm(cls, options_path, weights_path):
        with open(options_path) as f:
            options = json.load(f)
        model = cls(options)
        with h5py.File(weights_path, "r") as h:
            names = model.hdf5_tensors().keys()
            params = dict(model._named_export_params())
            for name in names:
                arr = np.asarray(h[name], dtype=np.float32)
                p = params[name]
                if name == "char_embed" and arr.shape[0] == 262:  # a file with the zero row already in it
                    arr = arr[1:]
                if tuple(arr.shape) != tuple(p.shape):
                    raise ValueError("%s: shape %s, the options expect %s" % (name, arr.shape, tuple(p.shape)))
                with torch.no_grad():
                    p.copy_(torch.from_numpy(arr))
        return model

    def _named_export_params(self):
        out = {"char_embed": self.char_embed}
        for i, (W, b) in enumerate(zip(self.cnn_w, self.cnn_b)):
            out["CNN/W_cnn_%d" % i] = W
            out["CNN/b_cnn_%d" % i] = b
        for k in range(len(self.hw) // 4):
            wc, bc, wt, bt = self.hw[4 * k:4 * k + 4]
            out.update({"CNN_high_%d/W_carry" % k: wc, "CNN_high_%d/b_carry" % k: bc,
                        "CNN_high_%d/W_transform" % k: wt, "CNN_high_%d/b_transform" % k: bt})
        if self.has_proj:
            out["CNN_proj/W_proj"] = self.w_proj
            out["CNN_proj/b_proj"] = self.b_proj
        for d in range(2):
            for l in range(self.L):
                base = "RNN_%d/RNN/MultiRNNCell/Cell%d/LSTMCell/" % (d, l)
                out[base + "W_0"] = self.W0[d * self.L + l]
                out[base + "B"] = self.B[d * self.L + l]
                if self.has_cell_proj:
                    out[base + "W_P_0"] = self.WP[d * self.L + l]
        return out.items()


def reverse_index(lengths, T):
    """[B, T] gather index reversing the first lengths[b] rows of each sequence (padding rows stay in place)."""
    ar = torch.arange(T, device=lengths.device)[None, :]
    L = lengths[:, None]
    return torch.where(ar < L, L - 1 - ar, ar)


def embed_sentences(model, sentences, batch_size=32):
    """Stateless per-sentence outputs, as the Java encoder: list of float32 arrays [3, T+2, 2P] (layer0, lstm1, lstm2),
    boundary rows included."""
    model.eval()
    out = []
    M = model.max_chars
    with torch.no_grad():
        for s in range(0, len(sentences), batch_size):
            batch = sentences[s:s + batch_size]
            T = max(len(t) for t in batch) + 2
            chars = torch.zeros(len(batch), T, M, dtype=torch.long)
            lengths = torch.tensor([len(t) + 2 for t in batch])
            for b, toks in enumerate(batch):
                rows = [char_ids(BOS, M)] + [char_ids(t, M) for t in toks] + [char_ids(EOS, M)]
                chars[b, :len(rows)] = torch.tensor(rows)
            tok, layers = model(chars, lengths)
            for b, toks in enumerate(batch):
                n = len(toks) + 2
                l0 = torch.cat([tok[b, :n], tok[b, :n]], 1)
                ls = [l0] + [torch.cat([lay[0, b, :n], lay[1, b, :n]], 1) for lay in layers]
                out.append(torch.stack(ls).numpy().astype(np.float32))
    return out


def recenter_token_embedding(model, mean, scale):
    """Make the token embedding (output layer 0) zero-mean and 1/scale as large, leaving every LSTM output exactly
    as it was: x' = (x - mean) / scale through W_proj and b_proj, and the first LSTM layer of both directions gets
    W_x' = scale * W_x and B' = B + mean @ W_x, so [x', h] W_0' + B' = [x, h] W_0 + B."""
    if not model.has_proj:
        raise ValueError("the model has no CNN_proj to fold the centering into (F == P)")
    P = model.P
    with torch.no_grad():
        mean = torch.as_tensor(mean, dtype=torch.float64)
        w_proj = model.w_proj.double()
        b_proj = model.b_proj.double()
        model.w_proj.copy_((w_proj / scale).float())
        model.b_proj.copy_(((b_proj - mean) / scale).float())
        for d in range(2):
            W = model.W0[d * model.L].double()
            B = model.B[d * model.L].double()
            model.B[d * model.L].copy_((B + mean @ W[:P]).float())
            W[:P] *= scale
            model.W0[d * model.L].copy_(W.float())
