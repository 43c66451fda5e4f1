/**
 * The version guard: the patches rely on TensorFlow.js internals (the engine's tape, kernel and gradient
 * registries, tfjs-layers' BatchNormalization, the wasm and cpu backends' storage), so install() checks the
 * versions it finds against the ones it was tested with.
 */
import { DepthblocksError, tf } from '@depthblocks/core';
import type { TfjsPackage } from './patch';
import { tfjsWasm } from './tfjs-wasm';

/** The TensorFlow.js version every patch was tested with. */
export const TESTED_TFJS_VERSION = '4.22.0';

/** The environment variable that allows untested versions (`1` or `true`), like `allowUntestedTfjs: true`. */
export const ALLOW_UNTESTED_TFJS_ENV = 'DEPTHBLOCKS_ALLOW_UNTESTED_TFJS';

/** The version of a loaded tfjs package (read when called, so a test can fake it). */
export function tfjsVersion(p: TfjsPackage): string {
  switch (p) {
    case 'tfjs-core':
      return tf.version_core;
    case 'tfjs-layers':
      return tf.version_layers;
    case 'tfjs-backend-cpu':
      return tf.version_cpu;
    case 'tfjs-backend-wasm':
      return tfjsWasm().version_wasm;
    case 'tfjs-backend-webgl':
      return tf.version_webgl;
  }
}

function allowedByEnv(): boolean {
  const v = typeof process !== 'undefined' ? process.env?.[ALLOW_UNTESTED_TFJS_ENV] : undefined;
  return v === '1' || v === 'true';
}

/**
 * Throws `DepthblocksError('UNSUPPORTED_TFJS')` unless each of `packages` is at the tested version, or untested
 * versions are allowed (`allow`, or the environment variable). Returns the versions found.
 *
 * @example
 * checkTfjsVersions(['tfjs-core', 'tfjs-layers']); // throws on tfjs-core 4.23.0 unless allowed
 */
export function checkTfjsVersions(packages: readonly TfjsPackage[], allow = false): Partial<Record<TfjsPackage, string>> {
  const found: Partial<Record<TfjsPackage, string>> = {};
  for (const p of packages) found[p] = tfjsVersion(p);
  const untested = packages.filter((p) => found[p] !== TESTED_TFJS_VERSION);
  if (untested.length && !allow && !allowedByEnv()) {
    const list = untested.map((p) => `@tensorflow/${p} ${found[p]}`).join(', ');
    throw new DepthblocksError(
      'UNSUPPORTED_TFJS',
      `@depthblocks/backend was tested with TensorFlow.js ${TESTED_TFJS_VERSION} and found ${list}. Its patches rely on ` +
        `tfjs internals that may have changed. Install @tensorflow/tfjs ${TESTED_TFJS_VERSION}, or try anyway with ` +
        `setupBackend({ allowUntestedTfjs: true }) (or install({ allowUntestedTfjs: true }), or the environment variable ` +
        `${ALLOW_UNTESTED_TFJS_ENV}=1).`,
      { tested: TESTED_TFJS_VERSION, found },
    );
  }
  return found;
}
