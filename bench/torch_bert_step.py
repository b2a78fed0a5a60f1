#!/usr/bin/python3
"""PyTorch reference of the steps `bam bench` measures, in plain torch (no transformers package).

Same command line and JSON result line as bam's dist/src/bench/bench-worker.js:
  /usr/bin/python3 bench/torch_bert_step.py --model mini [--task classify|mlm] --threads 1 --batch 32 --seq 128 --warmup 2 --runs 5

The encoder is Google's BERT (post-LN, exact GELU, dropout 0.1).

--task classify (default): the tanh pooler on [CLS] and one 2-label linear head after dropout on the pooled output,
as bam's. The training step: zero gradients, forward in train mode, soft-target cross-entropy summed over the batch,
backward, global-norm clip at 1.0, torch.optim.AdamW with BAM's parameter groups (no decay on LayerNorm and biases,
layer-wise learning rate). AdamW is the closest stock optimizer to BERT's AdamWeightDecay; the missing bias
correction there does not change the cost. Inference: forward in eval mode under torch.no_grad(), the last layer
computing only the [CLS] rows the pooler reads (as bam's inference path does, so that both sides do the same work).

--task mlm: BERT's masked-LM head on min(20, seq) random masked positions per sequence (dense + GELU + LayerNorm on
the gathered rows, decoder tied to the word embeddings, output bias), mean cross-entropy over those positions only
(the same work as bam's sparse output), then backward, clipping and AdamW as above without layer-wise decay (as
BERT pretrains). The model keeps the pooler, untrained, so that its parameter count is bam's pretraining model's.
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
MASKED_PER_SEQUENCE = 20
INITIALIZER_RANGE = 0.02


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--task", default="classify", choices=["classify", "mlm"])
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


class Encoder(nn.Module):
    """BERT's embeddings and layers."""

    def __init__(self, layers, hidden):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB_SIZE, hidden)
        self.position_embeddings = nn.Embedding(MAX_POSITIONS, hidden)
        self.token_type_embeddings = nn.Embedding(TYPE_VOCAB_SIZE, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.layers = nn.ModuleList(Layer(hidden, hidden // 64) for _ in range(layers))
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, input_ids, segment_ids, input_mask, cls_only_last=False):
        """cls_only_last: the last layer computes only the [CLS] rows the pooler reads, as bam's inference does."""
        positions = torch.arange(input_ids.shape[1])
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(segment_ids) + self.position_embeddings(positions)
        x = self.dropout(self.embedding_norm(x))
        additive_mask = ((1.0 - input_mask) * -10000.0)[:, None, None, :]
        for i, layer in enumerate(self.layers):
            x = layer(x, additive_mask, cls_only_last and i == len(self.layers) - 1)
        return x


class BertClassifier(nn.Module):
    """BERT encoder, tanh pooler and one classification head (dropout, then a linear layer)."""

    def __init__(self, layers, hidden):
        super().__init__()
        self.encoder = Encoder(layers, hidden)
        self.pooler = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, NUM_LABELS)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, input_ids, segment_ids, input_mask, cls_only_last=False):
        x = self.encoder(input_ids, segment_ids, input_mask, cls_only_last)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.head(self.dropout(pooled))


class BertMaskedLm(nn.Module):
    """BERT encoder (with its pooler, which masked LM leaves untrained) and the masked-LM head on the masked rows."""

    def __init__(self, layers, hidden):
        super().__init__()
        self.encoder = Encoder(layers, hidden)
        self.pooler = nn.Linear(hidden, hidden)
        self.transform = nn.Linear(hidden, hidden)
        self.transform_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.output_bias = nn.Parameter(torch.zeros(VOCAB_SIZE))

    def forward(self, input_ids, segment_ids, input_mask, rows):
        """rows: the masked positions as b * seq + position; returns their logits [len(rows), vocab]."""
        x = self.encoder(input_ids, segment_ids, input_mask)
        gathered = x.reshape(-1, x.shape[-1])[rows]
        h = self.transform_norm(F.gelu(self.transform(gathered)))
        return h @ self.encoder.word_embeddings.weight.t() + self.output_bias


def initialize_as_bert(model):
    """BERT's initialisation, as bam's: weights from a normal of std 0.02 truncated at 2 std, zero biases, LayerNorm
    1 and 0. torch's defaults (N(0, 1) embeddings) would give the tied decoder logits so spread that most softmax
    probabilities underflow to subnormals, and the masked-LM backward GEMMs on them ran about 30x slower."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.trunc_normal_(module.weight, std=INITIALIZER_RANGE, a=-2 * INITIALIZER_RANGE, b=2 * INITIALIZER_RANGE)
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.bias)
    return model


def parameter_groups(model, num_layers, learning_rate, lr_decay, weight_decay=0.01):
    """BAM's optimizer groups: depth 0 embeddings, i + 1 layer i, n + 1 pooler, n + 2 heads; no decay on norms/biases."""
    groups = {}
    for name, p in model.named_parameters():
        if name.startswith("encoder.layers."):
            depth = int(name.split(".")[2]) + 1
        elif name.startswith("pooler."):
            depth = num_layers + 1
        elif name.startswith("encoder."):
            depth = 0
        else:
            depth = num_layers + 2
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


def time_runs(warmup, runs, batch, call):
    """The timing of `runs` calls after `warmup` untimed ones: wall times (ms), their median, examples/s at the median
    and CPU time over wall time across the timed calls."""
    for i in range(warmup):
        call(i)
    times = []
    cpu_start = time.process_time()
    for i in range(warmup, warmup + runs):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu_start) * 1000
    ms_median = median(times)
    return {"ms_median": ms_median, "ms_all": times, "examples_per_s": batch * 1000 / ms_median, "cpu_per_wall": cpu_ms / sum(times)}


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def random_inputs(batch, seq):
    """Full-length random sequences: first half segment 0, second half segment 1."""
    input_ids = torch.randint(VOCAB_SIZE, (batch, seq))
    segment_ids = (torch.arange(seq) >= seq / 2).long().expand(batch, seq).contiguous()
    return input_ids, segment_ids, torch.ones(batch, seq)


def measure_classify(layers, hidden, batch, seq):
    model = initialize_as_bert(BertClassifier(layers, hidden))
    optimizer = torch.optim.AdamW(parameter_groups(model, layers, 1e-4, lr_decay=0.9), betas=(0.9, 0.999), eps=1e-6)
    input_ids, segment_ids, input_mask = random_inputs(batch, seq)
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
    train = time_runs(ARGS.warmup, ARGS.runs, batch, train_step)
    model.eval()
    return model, {"train": train, "infer": time_runs(ARGS.warmup, ARGS.runs, batch, infer)}


def measure_mlm(layers, hidden, batch, seq):
    model = initialize_as_bert(BertMaskedLm(layers, hidden))
    optimizer = torch.optim.AdamW(parameter_groups(model, layers, 1e-4, lr_decay=1.0), betas=(0.9, 0.999), eps=1e-6)
    input_ids, segment_ids, input_mask = random_inputs(batch, seq)
    per_sequence = min(MASKED_PER_SEQUENCE, seq)
    rows = torch.cat([b * seq + torch.randperm(seq)[:per_sequence].sort().values for b in range(batch)])
    labels = torch.randint(VOCAB_SIZE, (len(rows),))

    def train_step(_step):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(input_ids, segment_ids, input_mask, rows), labels)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    model.train()
    return model, {"train": time_runs(ARGS.warmup, ARGS.runs, batch, train_step)}


def main():
    torch.set_num_threads(ARGS.threads)
    torch.manual_seed(SEED)
    layers, hidden = MODELS[ARGS.model]
    measure = measure_mlm if ARGS.task == "mlm" else measure_classify
    model, timings = measure(layers, hidden, ARGS.batch, ARGS.seq)
    result = {
        "backend": "torch",
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "timings": timings,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    sys.stdout.write(json.dumps(result) + "\n")


main()
