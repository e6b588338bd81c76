#!/usr/bin/env python3
"""Time one training epoch of the loewe recipe (loeweX/Forward-Forward) in PyTorch.

The baseline for ffchar's speed target: the same computation as ffchar's
engine (2x500 by default, batch 100, 50,000 MNIST training images, positive,
negative and neutral samples, peer normalisation, full-gradient ReLU, linear
classifier on layers 2..N, SGD with momentum), written as loeweX writes it,
run on the CPU the way a careful user would: a fixed thread count and
OMP_WAIT_POLICY=passive so that idle OpenMP threads do not spin.

Usage: OMP_WAIT_POLICY=passive python3 pytorch_loewe_epoch.py MNIST_DIR [threads] [depth] [width]
Prints seconds per epoch for epochs 1 and 2 (the first includes warm-up).
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class ReLUFullGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        return g.clone()


def layer_norm(z, eps=1e-8):
    return z / (torch.sqrt(torch.mean(z ** 2, dim=-1, keepdim=True)) + eps)


def main():
    root = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    depth = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    width = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    images = read_idx(os.path.join(root, "train-images-idx3-ubyte.gz"))[:50000]
    labels = read_idx(os.path.join(root, "train-labels-idx1-ubyte.gz"))[:50000]
    x = torch.tensor(images.reshape(50000, 784), dtype=torch.float32) / 255.0
    y = torch.tensor(labels, dtype=torch.long)
    B = 100
    sizes = [784] + [width] * depth
    model = nn.ModuleList([nn.Linear(sizes[i], sizes[i + 1]) for i in range(depth)])
    for m in model:
        nn.init.normal_(m.weight, mean=0, std=1 / np.sqrt(m.weight.shape[0]))
        nn.init.zeros_(m.bias)
    feat = sum(sizes[2:]) if depth > 1 else sizes[1]
    classifier = nn.Linear(feat, 10, bias=False)
    nn.init.zeros_(classifier.weight)
    running = [torch.zeros(width) + 0.5 for _ in range(depth)]
    opt = torch.optim.SGD([
        {"params": model.parameters(), "lr": 1e-3, "weight_decay": 3e-4, "momentum": 0.9},
        {"params": classifier.parameters(), "lr": 1e-2, "weight_decay": 3e-3, "momentum": 0.9},
    ])
    bce = nn.BCEWithLogitsLoss()
    ce = nn.CrossEntropyLoss()
    for epoch in range(2):
        start = time.perf_counter()
        perm = torch.randperm(50000)
        for b in range(50000 // B):
            idx = perm[b * B:(b + 1) * B]
            xb, yb = x[idx], y[idx]
            neg = (yb + torch.randint(1, 10, (B,))) % 10
            pos_x, neg_x, neu_x = xb.clone(), xb.clone(), xb.clone()
            pos_x[:, :10] = nn.functional.one_hot(yb, 10).float()
            neg_x[:, :10] = nn.functional.one_hot(neg, 10).float()
            neu_x[:, :10] = 0.1
            opt.zero_grad()
            z = layer_norm(torch.cat([pos_x, neg_x]))
            target = torch.zeros(2 * B)
            target[:B] = 1
            loss = 0
            for i, layer in enumerate(model):
                z = ReLUFullGrad.apply(layer(z))
                running[i] = running[i].detach() * 0.9 + z[:B].mean(0) * 0.1
                loss = loss + 0.03 * ((running[i].mean() - running[i]) ** 2).mean()
                loss = loss + bce((z ** 2).sum(1) - z.shape[1], target)
                z = layer_norm(z.detach())
            with torch.no_grad():
                z = layer_norm(neu_x)
                feats = []
                for i, layer in enumerate(model):
                    z = layer_norm(ReLUFullGrad.apply(layer(z)))
                    if i >= 1 or depth == 1:
                        feats.append(z)
            out = classifier(torch.cat(feats, 1).detach())
            out = out - out.max(1, keepdim=True)[0]
            loss = loss + ce(out, yb)
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: {time.perf_counter() - start:.2f} s "
              f"(threads {threads}, {depth}x{width}, torch {torch.__version__})", flush=True)


if __name__ == "__main__":
    main()
