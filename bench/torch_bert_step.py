#!/usr/bin/python3
"""PyTorch reference of the step `bam bench` measures, in plain torch (no transformers package).

Same command line and JSON result line as bam's dist/src/bench/bench-worker.js:
  /usr/bin/python3 bench/torch_bert_step.py --model mini --threads 1 --batch 32 --seq 128 --warmup 2 --runs 5

The model is Google's BERT (post-LN, exact GELU, tanh pooler on [CLS], dropout 0.1) with one 2-label linear head
after dropout on the pooled output, as bam's. The training step: zero gradients, forward in train mode, soft-target
cross-entropy summed over the batch, backward, global-norm clip at 1.0, torch.optim.AdamW with BAM's parameter groups
(no decay on LayerNorm and biases, layer-wise learning rate). AdamW is the closest stock optimizer to BERT's
AdamWeightDecay; the missing bias correction there does not change the cost. Inference: forward in eval mode under
torch.no_grad(), the last layer computing only the [CLS] rows the pooler reads (as bam's inference path does, so that
both sides do the same work).
"""

import argparse
import json
import math
import os
import resource
import sys
import time

MODELS = {"tiny": (2, 128), "mini": (4, 256), "small": (4, 512), "base": (12, 768)}
VOCAB_SIZE = 30522
MAX_POSITIONS = 512
TYPE_VOCAB_SIZE = 2
DROPOUT = 0.1
LAYER_NORM_EPS = 1e-12
NUM_LABELS = 2
SEED = 12345
MAX_SEQUENCE = 512


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.threads < 1 or args.batch < 1 or args.runs < 1 or args.warmup < 0:
        parser.error("--threads, --batch and --runs must be >= 1 and --warmup >= 0")
    if not 1 <= args.seq <= MAX_SEQUENCE:
        parser.error(f"--seq must be from 1 to {MAX_SEQUENCE}")
    return args


ARGS = parse_args()
# torch.set_num_threads does not reach OpenBLAS (Debian's torch calls the system BLAS, which keeps its own pool), so
# the thread count must be in the environment before torch loads it.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)
# With both pools running, OpenMP's idle threads spin on the cores OpenBLAS's threads need: on 2 cores PyTorch's
# multi-threaded step measured about 4x slower than with passive waiting. A set value is kept, to measure others.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402  (after the thread settings above)
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Layer(nn.Module):
    """One post-LN BERT layer."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.intermediate = nn.Linear(hidden, 4 * hidden)
        self.output = nn.Linear(4 * hidden, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.dropout = nn.Dropout(DROPOUT)

    def split_heads(self, x):
        batch, seq, hidden = x.shape
        return x.view(batch, seq, self.heads, hidden // self.heads).transpose(1, 2)

    def forward(self, x, additive_mask, cls_only=False):
        """cls_only: outputs only each sequence's first row, with keys and values from every row."""
        batch, seq, hidden = x.shape
        queries = x[:, :1] if cls_only else x
        q, k, v = self.split_heads(self.query(queries)), self.split_heads(self.key(x)), self.split_heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hidden // self.heads) + additive_mask
        probs = self.dropout(torch.softmax(scores, dim=-1))
        context = (probs @ v).transpose(1, 2).reshape(batch, queries.shape[1], hidden)
        y = self.attention_norm(self.dropout(self.attention_output(context)) + queries)
        return self.output_norm(self.dropout(self.output(F.gelu(self.intermediate(y)))) + y)


class BertClassifier(nn.Module):
    """BERT encoder, tanh pooler and one classification head (dropout, then a linear layer)."""

    def __init__(self, layers, hidden):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB_SIZE, hidden)
        self.position_embeddings = nn.Embedding(MAX_POSITIONS, hidden)
        self.token_type_embeddings = nn.Embedding(TYPE_VOCAB_SIZE, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.layers = nn.ModuleList(Layer(hidden, hidden // 64) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, NUM_LABELS)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, input_ids, segment_ids, input_mask, cls_only_last=False):
        """cls_only_last: the last layer computes only the [CLS] rows the pooler reads, as bam's inference does."""
        positions = torch.arange(input_ids.shape[1])
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(segment_ids) + self.position_embeddings(positions)
        x = self.dropout(self.embedding_norm(x))
        additive_mask = ((1.0 - input_mask) * -10000.0)[:, None, None, :]
        for i, layer in enumerate(self.layers):
            x = layer(x, additive_mask, cls_only_last and i == len(self.layers) - 1)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.head(self.dropout(pooled))


def parameter_groups(model, num_layers, learning_rate, lr_decay=0.9, weight_decay=0.01):
    """BAM's optimizer groups: depth 0 embeddings, i + 1 layer i, n + 1 pooler, n + 2 head; no decay on norms/biases."""
    groups = {}
    for name, p in model.named_parameters():
        if name.startswith("layers."):
            depth = int(name.split(".")[1]) + 1
        elif name.startswith("pooler."):
            depth = num_layers + 1
        elif name.startswith("head."):
            depth = num_layers + 2
        else:
            depth = 0
        decay = not (name.endswith("bias") or "norm" in name)
        key = (depth, decay)
        if key not in groups:
            groups[key] = {
                "params": [],
                "lr": learning_rate * lr_decay ** (num_layers + 2 - depth),
                "weight_decay": weight_decay if decay else 0.0,
            }
        groups[key]["params"].append(p)
    return list(groups.values())


def time_runs(warmup, runs, call):
    """Wall times (ms) of `runs` calls after `warmup` untimed ones, and CPU time over wall time across the timed calls."""
    for i in range(warmup):
        call(i)
    times = []
    cpu_start = time.process_time()
    for i in range(warmup, warmup + runs):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu_start) * 1000
    return times, cpu_ms / sum(times)


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main():
    torch.set_num_threads(ARGS.threads)
    torch.manual_seed(SEED)
    layers, hidden = MODELS[ARGS.model]
    batch, seq = ARGS.batch, ARGS.seq
    model = BertClassifier(layers, hidden)
    optimizer = torch.optim.AdamW(parameter_groups(model, layers, 1e-4), betas=(0.9, 0.999), eps=1e-6)
    input_ids = torch.randint(VOCAB_SIZE, (batch, seq))
    segment_ids = (torch.arange(seq) >= seq / 2).long().expand(batch, seq).contiguous()
    input_mask = torch.ones(batch, seq)
    targets = F.one_hot(torch.randint(NUM_LABELS, (batch,)), NUM_LABELS).float()

    def train_step(_step):
        optimizer.zero_grad(set_to_none=True)
        logits = model(input_ids, segment_ids, input_mask)
        loss = -(targets * torch.log_softmax(logits, dim=-1)).sum()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    def infer(_step):
        with torch.no_grad():
            model(input_ids, segment_ids, input_mask, cls_only_last=True)

    model.train()
    train_ms, train_cpu_per_wall = time_runs(ARGS.warmup, ARGS.runs, train_step)
    model.eval()
    infer_ms, _ = time_runs(ARGS.warmup, ARGS.runs, infer)
    result = {
        "backend": "torch",
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_ms_median": median(train_ms),
        "train_ms_all": train_ms,
        "infer_ms_median": median(infer_ms),
        "infer_ms_all": infer_ms,
        "examples_per_s_train": batch * 1000 / median(train_ms),
        "examples_per_s_infer": batch * 1000 / median(infer_ms),
        "train_cpu_per_wall": train_cpu_per_wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    sys.stdout.write(json.dumps(result) + "\n")


main()
