"""Exports the benchmark models and times PyTorch on them, for `npm run bench` (scripts/bench.ts).

Run with Debian's python3-torch (1.13):
    /usr/bin/python3 scripts/bench_models.py export OUT_DIR
        writes mobilenet_v2.onnx and resnet18.onnx (torchvision architectures, random weights,
        fixed seeds, 224x224, symbolic batch) unless they already exist.
    /usr/bin/python3 scripts/bench_models.py serve MODEL BATCH THREADS
        builds the model and answers one line per command on stdin: `fb` runs forward +
        input-gradient once (cross-entropy on the logits, weights frozen so only the input
        gradient is computed), `fwd` a forward pass; each answer is the wall and CPU time in ms. The benchmark
        interleaves these runs with its own so both see the same machine load.
The models are ~14 MB and ~45 MB, so they are generated into the cache instead of being committed.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

MODELS = {"mobilenet_v2": torchvision.models.mobilenet_v2, "resnet18": torchvision.models.resnet18}


def build(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    model = MODELS[name]()
    # Fresh BatchNorm statistics are 0/1; random ones make the benchmark look like a trained net.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def export(out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for name in MODELS:
        path = os.path.join(out_dir, name + ".onnx")
        if os.path.exists(path):
            continue
        x = torch.rand(1, 3, 224, 224)
        tmp = path + ".tmp"
        torch.onnx.export(build(name), x, tmp, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
        os.replace(tmp, path)
        print(path, file=sys.stderr)


def serve(name: str, batch: int, threads: int) -> None:
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    model = build(name)
    x = torch.rand(batch, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    labels = torch.randint(0, 1000, (batch,), generator=torch.Generator().manual_seed(2))

    def forward() -> None:
        with torch.no_grad():
            model(x)

    def forward_backward() -> None:
        xx = x.clone().requires_grad_(True)
        loss = F.cross_entropy(model(xx), labels)
        torch.autograd.grad(loss, xx)

    commands = {"fwd": forward, "fb": forward_backward}
    print(json.dumps({"ready": True, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        fn = commands.get(line.strip())
        if fn is None:
            break
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        print(f"{(time.perf_counter() - start) * 1000:.3f} {(time.process_time() - cpu) * 1000:.3f}", flush=True)


def main() -> None:
    if sys.argv[1] == "export":
        export(sys.argv[2])
    elif sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit("usage: bench_models.py export OUT_DIR | serve MODEL BATCH THREADS")


if __name__ == "__main__":
    main()
