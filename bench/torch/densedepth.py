#!/usr/bin/env python3
"""PyTorch reference for the depthblocks benchmark: DenseDepth-169 (Alhashim & Wonka 2018).

Encoder: torchvision densenet169(weights=None).features. Decoder (F = 1664): conv2 1x1 -> 1664, four
up-blocks (bilinear resize x2 to the skip's size with align_corners=True, concat the skip, conv3x3 +
LeakyReLU(0.2) twice) with 832, 416, 208, 104 filters, then conv3x3 -> 1 channel (output at half the
input size). Loss on y = 1000 / depth_cm (range 10..1000 -> 1..100): SSIM (gaussian 11 / 1.5, valid,
max_val 100; term = clip((1 - ssim) / 2, 0, 1)) + image-gradient L1 + 0.1 * L1. Adam lr 1e-4.

Usage: python3 densedepth.py --threads 2 [--quick] [--train 240x320:2 ...] [--infer 480x640:1 ...]
Prints `TORCH_RESULT <json>` after each measurement (the last line holds everything).
       python3 densedepth.py --export-onnx 480x640:/tmp/dd169-torch.onnx [--opset 17]
writes the same model through torch.onnx.export (eval mode, constant folding: batch norms folded, dynamic batch,
height and width) and prints `TORCH_EXPORT <json>` (seconds, bytes); the ONNX bench times it in ONNX Runtime
next to depthblocks' own export.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class UpBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.convA = nn.Conv2d(cin, cout, 3, padding=1)
        self.convB = nn.Conv2d(cout, cout, 3, padding=1)

    def forward(self, x, skip):
        x = F.interpolate(x, size=skip.shape[2:], mode="bilinear", align_corners=True)
        x = torch.cat([x, skip], dim=1)
        x = F.leaky_relu(self.convA(x), 0.2)
        return F.leaky_relu(self.convB(x), 0.2)


class DenseDepth169(nn.Module):
    def __init__(self, features=1664):
        super().__init__()
        self.encoder = torchvision.models.densenet169(weights=None).features
        f = features
        self.conv2 = nn.Conv2d(1664, f, 1)
        self.up1 = UpBlock(f + 256, f // 2)
        self.up2 = UpBlock(f // 2 + 128, f // 4)
        self.up3 = UpBlock(f // 4 + 64, f // 8)
        self.up4 = UpBlock(f // 8 + 64, f // 16)
        self.conv3 = nn.Conv2d(f // 16, 1, 3, padding=1)

    def forward(self, x):
        e = self.encoder
        skips = {}
        for name, layer in e.named_children():
            x = layer(x)
            # The Keras names DenseDepth taps: conv1/relu, pool1, pool2_pool, pool3_pool.
            if name in ("relu0", "pool0", "transition1", "transition2"):
                skips[name] = x
        x = F.relu(x)  # torchvision applies the final ReLU outside `features`
        x = self.conv2(x)
        x = self.up1(x, skips["transition2"])
        x = self.up2(x, skips["transition1"])
        x = self.up3(x, skips["pool0"])
        x = self.up4(x, skips["relu0"])
        return self.conv3(x)


def gaussian(size=11, sigma=1.5):
    c = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-0.5 * c * c / sigma**2)
    return (g / g.sum()).float()


G = gaussian()
GV = G.view(1, 1, 11, 1)
GH = G.view(1, 1, 1, 11)


def filt(x):
    return F.conv2d(F.conv2d(x, GV), GH)


def ssim(x, y, max_val=100.0, k1=0.01, k2=0.03):
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    m0, m1 = filt(x), filt(y)
    num0 = 2 * m0 * m1
    den0 = m0 * m0 + m1 * m1
    lum = (num0 + c1) / (den0 + c1)
    num1 = 2 * filt(x * y)
    den1 = filt(x * x + y * y)
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return (lum * cs).mean()


def grad_l1(y, p):
    def g(t):
        dy = torch.cat([t[:, :, 1:] - t[:, :, :-1], torch.zeros_like(t[:, :, :1])], 2)
        dx = torch.cat([t[:, :, :, 1:] - t[:, :, :, :-1], torch.zeros_like(t[:, :, :, :1])], 3)
        return dy, dx

    ty, tx = g(y)
    py, px = g(p)
    return (torch.abs(py - ty) + torch.abs(px - tx)).mean()


def densedepth_loss(y, p):
    l_ssim = torch.clamp((1 - ssim(y, p)) * 0.5, 0, 1)
    return l_ssim + grad_l1(y, p) + 0.1 * torch.abs(p - y).mean()


def timed(fn, warmup, reps, cap_s):
    warm = []
    for _ in range(warmup):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        warm.append(dt * 1000)
        if dt > cap_s:
            return {"warmupMs": warm, "timesMs": [], "skipped": f"one step took {dt:.1f} s > cap {cap_s} s"}
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"warmupMs": warm, "timesMs": times, "medianMs": statistics.median(times)}


def emit(out):
    """Prints the results so far (after every measurement, so a run stopped by a time cap keeps them)."""
    try:
        import resource

        out["maxRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except Exception:  # noqa: BLE001
        pass
    print("TORCH_RESULT " + json.dumps(out), flush=True)


def size_arg(s):
    hw, b = s.split(":")
    h, w = hw.split("x")
    return int(h), int(w), int(b)


def export_onnx(spec, opset):
    size, path = spec.split(":", 1)
    h, w = (int(v) for v in size.split("x"))
    model = DenseDepth169().eval()
    x = torch.rand(1, 3, h, w)
    t0 = time.perf_counter()
    with torch.no_grad():
        torch.onnx.export(
            model,
            x,
            path,
            opset_version=opset,
            input_names=["input"],
            output_names=["depth"],
            dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"}, "depth": {0: "batch", 2: "out_height", 3: "out_width"}},
            do_constant_folding=True,
        )
    seconds = time.perf_counter() - t0
    import os

    print("TORCH_EXPORT " + json.dumps({"seconds": seconds, "bytes": os.path.getsize(path), "opset": opset, "torch": torch.__version__}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--train", action="append", default=[])
    ap.add_argument("--infer", action="append", default=[])
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--cap", type=float, default=60)
    ap.add_argument("--export-onnx", default=None, help="HxW:PATH")
    ap.add_argument("--other", action="append", default=[], help="NAME:HxW:B, inference of a model of presets.py")
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.export_onnx:
        export_onnx(a.export_onnx, a.opset)
        return
    out = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "infer": [],
        "train": [],
    }
    n = 1024
    a_, b_ = torch.randn(n, n), torch.randn(n, n)
    mm = timed(lambda: torch.mm(a_, b_), 2, 5, 60)
    out["matmul"] = {**mm, "n": n, "gflops": 2 * n**3 / (mm["medianMs"] * 1e6)}

    out["other"] = []
    for spec in a.other:
        name, size = spec.split(":", 1)
        h, w, b = size_arg(size)
        from presets import MODELS

        other = MODELS[name]().eval()
        x = torch.rand(b, 3, h, w)

        def infer_other():
            with torch.no_grad():
                other(x)

        r = timed(infer_other, a.warmup, a.reps, a.cap)
        params = sum(p.numel() for p in other.parameters() if p.requires_grad)
        out["other"].append({"name": name, "size": [h, w], "batch": b, "params": params, **r})
        print(f"torch infer {name} {h}x{w}:{b} {r.get('medianMs')}", file=sys.stderr)
        emit(out)

    model = DenseDepth169()
    out["params"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    emit(out)
    model.eval()
    for spec in a.infer:
        h, w, b = size_arg(spec)
        x = torch.rand(b, 3, h, w)

        def infer():
            with torch.no_grad():
                model(x)

        r = timed(infer, a.warmup, a.reps, a.cap)
        out["infer"].append({"size": [h, w], "batch": b, **r})
        print(f"torch infer {h}x{w}:{b} {r.get('medianMs')}", file=sys.stderr)
        emit(out)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    for spec in a.train:
        h, w, b = size_arg(spec)
        x = torch.rand(b, 3, h, w)
        depth_m = torch.rand(b, 1, h // 2, w // 2) * 9.5 + 0.5
        y = 1000.0 / torch.clamp(depth_m * 100, 10, 1000)
        last = {}

        def step():
            opt.zero_grad(set_to_none=True)
            loss = densedepth_loss(y, model(x))
            loss.backward()
            opt.step()
            last["loss"] = float(loss)

        r = timed(step, a.warmup, a.reps, a.cap)
        out["train"].append({"size": [h, w], "batch": b, **r, "loss": last.get("loss")})
        print(f"torch train {h}x{w}:{b} {r.get('medianMs')}", file=sys.stderr)
        emit(out)
    emit(out)


if __name__ == "__main__":
    main()
