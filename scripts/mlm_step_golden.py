#!/usr/bin/python3
"""PyTorch reference of bam's masked-LM training step (test/pretrain/mlm-step.test.ts compares against it).

  /usr/bin/python3 scripts/mlm_step_golden.py OUT_DIR

Writes OUT_DIR/model.safetensors (the float32 starting parameters, Hugging Face BertForMaskedLM names plus the
pooler) and OUT_DIR/step.json: a batch of two sequences (one padded) with masked positions, and three optimisation
steps of a 10-step schedule computed in float64 from the definitions of google-research/bert run_pretraining.py:
post-LN BERT, exact GELU, masked-LM head (dense + GELU + LayerNorm, decoder tied to the word embeddings, output
bias), loss = Σ nll / (count + 1e-5) over the masked positions, no dropout; global-norm clipping at 1.0; BERT's
AdamWeightDecay (no bias correction, decay 0.01 except LayerNorm and biases) with linear warmup over 2 steps and
linear decay to 0 (the pooler, which nothing trains without next-sentence prediction, gets a zero gradient: the
decoupled weight decay still shrinks it, as bam's one fused pass over the arena does). Deterministic: torch.manual_seed fixes the parameters and the batch.
"""

import json
import math
import struct
import sys

import torch

torch.manual_seed(20261201)
torch.set_default_dtype(torch.float64)

CONFIG = {
    "vocab_size": 40, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 24,
    "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
    "max_position_embeddings": 16, "type_vocab_size": 2, "initializer_range": 0.2, "layer_norm_eps": 1e-12,
}
H, L, HEADS, I, V = (CONFIG[k] for k in ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size"))
EPS = CONFIG["layer_norm_eps"]
SCHEDULE = {"learning_rate": 2e-2, "num_train_steps": 10, "num_warmup_steps": 2, "weight_decay_rate": 0.01,
            "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6, "clip_norm": 1.0}
STEPS = 3


def parameters():
    """HF BertForMaskedLM names (Linear weights [out, in]) → float32-representable float64 tensors."""
    p = {}

    def normal(*shape, std=CONFIG["initializer_range"]):
        return (torch.randn(*shape) * std).float().double()

    def dense(name, fan_in, fan_out):
        p[f"{name}.weight"] = normal(fan_out, fan_in)
        p[f"{name}.bias"] = normal(fan_out, std=0.05)

    def norm(name):
        p[f"{name}.weight"] = (1 + normal(H, std=0.1))
        p[f"{name}.bias"] = normal(H, std=0.1)

    p["bert.embeddings.word_embeddings.weight"] = normal(V, H)
    p["bert.embeddings.position_embeddings.weight"] = normal(CONFIG["max_position_embeddings"], H)
    p["bert.embeddings.token_type_embeddings.weight"] = normal(CONFIG["type_vocab_size"], H)
    norm("bert.embeddings.LayerNorm")
    for i in range(L):
        b = f"bert.encoder.layer.{i}"
        for n in ("query", "key", "value"):
            dense(f"{b}.attention.self.{n}", H, H)
        dense(f"{b}.attention.output.dense", H, H)
        norm(f"{b}.attention.output.LayerNorm")
        dense(f"{b}.intermediate.dense", H, I)
        dense(f"{b}.output.dense", I, H)
        norm(f"{b}.output.LayerNorm")
    dense("bert.pooler.dense", H, H)
    dense("cls.predictions.transform.dense", H, H)
    norm("cls.predictions.transform.LayerNorm")
    p["cls.predictions.bias"] = normal(V, std=0.05)
    return p


def gelu(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def layer_norm(x, p, name):
    return torch.nn.functional.layer_norm(x, (H,), p[f"{name}.weight"], p[f"{name}.bias"], EPS)


def linear(x, p, name):
    return x @ p[f"{name}.weight"].T + p[f"{name}.bias"]


def mlm_loss(p, batch):
    ids, mask, positions, labels = batch["input_ids"], batch["input_mask"], batch["positions"], batch["labels"]
    B, S = ids.shape
    x = p["bert.embeddings.word_embeddings.weight"][ids] + p["bert.embeddings.position_embeddings.weight"][:S][None]
    x = x + p["bert.embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
    x = layer_norm(x, p, "bert.embeddings.LayerNorm")
    additive = (1.0 - mask)[:, None, None, :] * -10000.0
    d = H // HEADS
    for i in range(L):
        b = f"bert.encoder.layer.{i}"
        split = lambda t: t.view(B, S, HEADS, d).transpose(1, 2)  # noqa: E731
        q, k, v = (split(linear(x, p, f"{b}.attention.self.{n}")) for n in ("query", "key", "value"))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + additive, dim=-1)
        context = (probs @ v).transpose(1, 2).reshape(B, S, H)
        y = layer_norm(linear(context, p, f"{b}.attention.output.dense") + x, p, f"{b}.attention.output.LayerNorm")
        x = layer_norm(linear(gelu(linear(y, p, f"{b}.intermediate.dense")), p, f"{b}.output.dense") + y, p, f"{b}.output.LayerNorm")
    rows = x.reshape(B * S, H)[positions]
    h = layer_norm(gelu(linear(rows, p, "cls.predictions.transform.dense")), p, "cls.predictions.transform.LayerNorm")
    logits = h @ p["bert.embeddings.word_embeddings.weight"].T + p["cls.predictions.bias"]
    nll = -torch.log_softmax(logits, dim=-1)[torch.arange(len(labels)), labels]
    correct = int((logits.argmax(dim=-1) == labels).sum())
    return nll.sum() / (len(labels) + 1e-5), correct


def learning_rate(step):
    s = SCHEDULE
    if step < s["num_warmup_steps"]:
        return s["learning_rate"] * step / s["num_warmup_steps"]
    return s["learning_rate"] * (1 - min(step, s["num_train_steps"]) / s["num_train_steps"])


def no_decay(name):
    return "LayerNorm" in name or name.endswith("bias")


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = tensors[name].float().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    out = sys.argv[1]
    p = parameters()
    write_safetensors(f"{out}/model.safetensors", p)
    batch = {
        "input_ids": torch.randint(1, V, (2, 7)),
        "input_mask": torch.tensor([[1.0] * 7, [1.0] * 5 + [0.0] * 2]),
        "positions": torch.tensor([1, 3, 4, 7 + 2, 7 + 4]),
        "labels": torch.randint(0, V, (5,)),
    }
    params = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    m = {n: torch.zeros_like(t) for n, t in p.items()}
    v = {n: torch.zeros_like(t) for n, t in p.items()}
    s = SCHEDULE
    records = []
    for step in range(STEPS):
        for t in params.values():
            t.grad = None
        loss, correct = mlm_loss(params, batch)
        loss.backward()
        for t in params.values():
            if t.grad is None:  # the pooler: bam's fused optimizer pass still applies its weight decay
                t.grad = torch.zeros_like(t)
        norm = math.sqrt(sum(float((t.grad ** 2).sum()) for t in params.values()))
        scale = s["clip_norm"] / max(norm, s["clip_norm"])
        lr = learning_rate(step)
        with torch.no_grad():
            for n, t in params.items():
                g = t.grad * scale
                m[n] = s["beta1"] * m[n] + (1 - s["beta1"]) * g
                v[n] = s["beta2"] * v[n] + (1 - s["beta2"]) * g * g
                update = m[n] / (torch.sqrt(v[n]) + s["epsilon"])
                if not no_decay(n):
                    update = update + s["weight_decay_rate"] * t
                t -= lr * update
        records.append({"step": step, "loss": float(loss), "correct": correct, "grad_norm": norm, "learning_rate": lr})
    final = {n: t.detach() for n, t in params.items()}
    json.dump({
        "about": __doc__.strip(),
        "torch": torch.__version__,
        "config": CONFIG,
        "schedule": SCHEDULE,
        "batch": {k: t.tolist() for k, t in batch.items()},
        "steps": records,
        "after": {
            "sums": {n: float(t.sum()) for n, t in sorted(final.items())},
            "norms": {n: float(t.norm()) for n, t in sorted(final.items())},
            "full": {n: final[n].flatten().tolist() for n in ("cls.predictions.transform.dense.weight", "cls.predictions.bias", "bert.embeddings.word_embeddings.weight")},
        },
    }, open(f"{out}/step.json", "w"), indent=1)


main()
