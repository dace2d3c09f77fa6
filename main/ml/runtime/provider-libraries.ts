// onnxruntime-node loads the CUDA and TensorRT providers from shared libraries that its
// installer downloads only on request (`npm ci --onnxruntime-node-install=cuda12`). When
// the library is absent, asking ORT for the provider fails with a native error printed to
// stderr; checking the file first gives the user a reason they can act on, quietly.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const LIBRARY: Record<string, Partial<Record<NodeJS.Platform, string>>> = {
  cuda: { linux: 'libonnxruntime_providers_cuda.so', win32: 'onnxruntime_providers_cuda.dll' },
  tensorrt: { linux: 'libonnxruntime_providers_tensorrt.so', win32: 'onnxruntime_providers_tensorrt.dll' },
};

/** Why `provider` cannot run with this onnxruntime-node installation, or null when it may. */
export function missingProviderReason(
  provider: string,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  exists: (file: string) => boolean = existsSync,
): string | null {
  const file = LIBRARY[provider]?.[platform];
  if (!file) return null;
  const binDir = join(dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', platform, arch);
  if (exists(join(binDir, file))) return null;
  return `not installed: this onnxruntime-node has no ${provider.toUpperCase()} provider library (${file}). With internet and an NVIDIA GPU, reinstall with \`npm ci --onnxruntime-node-install=cuda12\`.`;
}
