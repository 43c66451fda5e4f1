/**
 * install() / uninstall(): the one place where depthblocks' patches are applied to TensorFlow.js, each on its own,
 * after the version guard. setupBackend() calls install(); call it yourself if you pick backends with
 * tf.setBackend.
 */
import { DepthblocksError, tf } from '@depthblocks/core';
import { ChangeSet, changeLabel, type Patch, type PatchChange, type PatchName, type TfjsPackage } from './patch';
import { activationGradients } from './patches/activation-gradients';
import { simdAdam } from './patches/adam';
import { batchNormKernels } from './patches/batch-norm-kernels';
import { dilatedConvGradients } from './patches/dilated-conv-gradients';
import { frugalGradients } from './patches/frugal-gradients';
import { fusedBatchNormGradient } from './patches/fused-batch-norm-gradient';
import { fusedConv } from './patches/fused-conv';
import { gatherScatterGradients } from './patches/gather-scatter-gradients';
import { layersBatchNorm } from './patches/layers-batch-norm';
import { resizeBilinearGrad } from './patches/resize-bilinear-grad';
import { wasmKernels } from './patches/wasm-kernels';
import { compileSimdModules, prepareSimdKernels } from './simd/simd-kernels';
import { checkTfjsVersions } from './version';

/** Every patch, in the order they are applied (and undone in reverse). */
const PATCHES: readonly Patch[] = [
  wasmKernels,
  resizeBilinearGrad,
  dilatedConvGradients,
  fusedConv,
  gatherScatterGradients,
  fusedBatchNormGradient,
  batchNormKernels,
  layersBatchNorm,
  activationGradients,
  frugalGradients,
  simdAdam,
];

/** The names of all patches, in the order they are applied. */
export const PATCH_NAMES: readonly PatchName[] = PATCHES.map((p) => p.name);

/** Which patches to install: each is on unless set to false. */
export type PatchOptions = Partial<Record<PatchName, boolean>>;

export interface InstallOptions {
  /**
   * Turn single patches off, e.g. `{ frugalGradients: false }` (the README's "Patches" table says what each
   * changes and what is lost without it). Each call of install() makes the installed set match: a patch
   * installed earlier and now set to false is uninstalled.
   */
  patches?: PatchOptions;
  /**
   * Install even if the TensorFlow.js version found is not the one the patches were tested with (also:
   * environment variable DEPTHBLOCKS_ALLOW_UNTESTED_TFJS=1).
   */
  allowUntestedTfjs?: boolean;
}

const applied = new Map<PatchName, ChangeSet>();
let simdCompiled = false;
let allowUntested = false;

function unknownPatches(patches: PatchOptions): string[] {
  return Object.keys(patches).filter((k) => !PATCH_NAMES.includes(k as PatchName));
}

function apply(p: Patch): void {
  if (applied.has(p.name)) return;
  const c = new ChangeSet(p.name);
  try {
    p.apply(c, { simd: simdCompiled });
  } catch (e) {
    c.undo();
    throw e;
  }
  applied.set(p.name, c);
}

function remove(name: PatchName): void {
  applied.get(name)?.undo();
  applied.delete(name);
}

/**
 * Installs depthblocks' training patches into TensorFlow.js (all of them unless some are turned off), after
 * checking the tfjs version. Idempotent: a second call changes only what its options change. Also compiles the
 * wasm SIMD module (asynchronously, as browsers require) and prepares it for the active wasm backend, if any.
 * Returns what is installed (the same list as {@link installedPatches}).
 *
 * setupBackend() calls it. Call it yourself if you choose the backend with tf.setBackend, after that call.
 *
 * @example
 * await tf.setBackend('wasm');
 * await install({ patches: { frugalGradients: false } });
 */
export async function install(options: InstallOptions = {}): Promise<PatchChange[]> {
  const patches = options.patches ?? {};
  const unknown = unknownPatches(patches);
  if (unknown.length) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `Unknown patch ${unknown.map((k) => `'${k}'`).join(', ')}: use ${PATCH_NAMES.join(', ')}`,
    );
  }
  const wanted = PATCHES.filter((p) => patches[p.name] !== false);
  const packages = [...new Set(wanted.flatMap((p) => p.tfjs))] as TfjsPackage[];
  checkTfjsVersions(packages, options.allowUntestedTfjs);
  allowUntested = options.allowUntestedTfjs ?? false;
  simdCompiled = await compileSimdModules();
  for (const p of [...PATCHES].reverse()) if (patches[p.name] === false) remove(p.name);
  for (const p of wanted) apply(p);
  const active = (tf.engine() as any).backendInstance; // no backend is initialised just to look
  if (active?.wasm) await prepareSimdKernels(active);
  return installedPatches();
}

/**
 * Undoes every installed patch: tfjs' own kernels, gradients and methods are back in place.
 *
 * @example
 * uninstall(); // tfjs as it was before install()
 */
export function uninstall(): void {
  for (const p of [...PATCHES].reverse()) remove(p.name);
}

/**
 * What is installed: one entry per kernel, gradient or method registered or replaced, with the patch it belongs to.
 *
 * @example
 * installedPatches().filter((c) => c.patch === 'wasmKernels').map((c) => c.target); // ['SplitV', 'Conv2DBackpropFilter', ...]
 */
export function installedPatches(): PatchChange[] {
  return PATCHES.flatMap((p) => applied.get(p.name)?.changes ?? []);
}

/**
 * The patches that were asked for but could not be applied here, and why (e.g. `fusedConv` where tfjs is loaded as
 * ES modules, whose namespaces are read-only).
 *
 * @example
 * for (const { patch, reason } of skippedPatches()) console.warn(`${patch} not installed: ${reason}`);
 */
export function skippedPatches(): { patch: PatchName; reason: string }[] {
  return PATCHES.flatMap((p) => {
    const reason = applied.get(p.name)?.skipped;
    return reason ? [{ patch: p.name, reason }] : [];
  });
}

/** {@link installedPatches} as the labels `BackendInfo.patches` shows, e.g. `wasm kernel:Conv2DBackpropFilter`. */
export function installedPatchLabels(): string[] {
  return installedPatches().map(changeLabel);
}

/**
 * Switches between the frugal backprop (true) and tfjs' own (false), e.g. to compare the two: installs or
 * uninstalls the patch `frugalGradients` alone. Returns the previous setting.
 *
 * @example
 * const was = useFrugalGradients(false); // tfjs' Engine.gradients
 * useFrugalGradients(was);
 */
export function useFrugalGradients(on: boolean): boolean {
  const was = applied.has('frugalGradients');
  if (on) {
    checkTfjsVersions(frugalGradients.tfjs, allowUntested);
    apply(frugalGradients);
  } else {
    remove('frugalGradients');
  }
  return was;
}
