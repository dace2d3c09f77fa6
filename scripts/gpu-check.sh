#!/usr/bin/env bash
# The GPU check (a few minutes): tiny Qwen2-VL export, vlm2vec-nano and the Qwen2-VL-2B-shaped
# graphs on every execution provider onnxruntime-node can start here, and on the CPU; prints
# max abs difference from the CPU and throughput. See scripts/gpu-check.ts.
#   bash scripts/gpu-check.sh
# CUDA/TensorRT need onnxruntime-node's provider libraries (fetched by its installer:
#   npm ci --onnxruntime-node-install=cuda12   with internet, CUDA 12 and cuDNN 9);
# WebGPU ships inside onnxruntime-node (Linux: through Vulkan, so libvulkan1 and a GPU driver).
# Providers that cannot start are listed with the reason, and the rest still runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true; else echo "nvidia-smi: not found (no NVIDIA driver here)"; fi
ls node_modules/onnxruntime-node/bin/napi-v6/"$(node -p process.platform)"/"$(node -p process.arch)"/ 2>/dev/null | sed 's/^/onnxruntime-node library: /' || true
exec nice -n 10 npx tsx scripts/gpu-check.ts "$@"
