"""PyTorch CPU reference for `scripts/bench-train.ts`: the same small CNN patchlab train --arch cnn
builds (conv32-bn-relu-pool, conv64-bn-relu-pool, fc128-relu, fc10), Adam at 1e-3, batch 128, on
Fashion-MNIST from Debian's dataset-fashion-mnist, shuffled, for STEPS steps.

    /usr/bin/python3 scripts/bench_train.py STEPS THREADS
prints one JSON line: wall and CPU ms per step (data batching included) and peak RSS in MB.
"""
import gzip
import json
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIR = "/usr/share/datasets/fashion-mnist"


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    steps, threads = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    images = idx(f"{DIR}/train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = idx(f"{DIR}/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=5e-4)
    order = np.random.default_rng(0).permutation(len(labels))
    model.train()

    def step(i):
        idx_ = order[(i * 128) % (len(order) - 128):][:128]
        x = torch.from_numpy(images[idx_].astype(np.float32) / 255)
        y = torch.from_numpy(labels[idx_])
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for i in range(3):
        step(i)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(steps):
        step(i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"wallMs": 1000 * wall / steps, "cpuMs": 1000 * cpu / steps, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
