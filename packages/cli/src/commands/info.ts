/** `depthblocks info`: backend, threads, and what is registered: encoders, decoders, loss terms, dataset readers, protocols, presets. */
import { setupBackend, type BackendInfo } from '@depthblocks/backend';
import { listDatasets } from '@depthblocks/datasets';
import { listDecoders } from '@depthblocks/decoders';
import { listEncoders } from '@depthblocks/encoders';
import { listLosses } from '@depthblocks/losses';
import { listProtocols } from '@depthblocks/metrics';
import { listPresets } from '@depthblocks/models';
import type { RunConfig } from '../run-config';

export interface InfoReport {
  backend: BackendInfo;
  /** Parameters: the registered total (incl. batch-norm statistics), when the encoder states it. */
  encoders: { name: string; channels: number[]; parameters?: number }[];
  decoders: string[];
  losses: string[];
  datasets: string[];
  protocols: string[];
  presets: string[];
}

export async function runInfo(options: Pick<RunConfig, 'backend' | 'threads'> = {}): Promise<InfoReport> {
  const backend = await setupBackend(options);
  return {
    backend,
    encoders: listEncoders().map((e) => ({ name: e.name, channels: e.channels, parameters: e.params?.total })),
    decoders: listDecoders().map((d) => d.name),
    losses: listLosses().map((l) => l.name),
    datasets: listDatasets().map((d) => d.name),
    protocols: listProtocols().map((p) => p.name),
    presets: listPresets().map((p) => p.name),
  };
}

export function formatInfo(r: InfoReport): string {
  const b = r.backend;
  return [
    `backend   ${b.name} (${b.package})${b.native ? ' native' : ''}${b.gpu ? ' GPU' : ''}, ${b.threads} thread(s)${b.simd ? ', SIMD' : ''}`,
    `          ${b.reason}`,
    `patches   ${b.patches.length} changes to TensorFlow.js installed by @depthblocks/backend (info --json lists them)`,
    `encoders  ${r.encoders.map((e) => (e.parameters ? `${e.name} (${(e.parameters / 1e6).toFixed(1)} M)` : e.name)).join(', ')}`,
    `decoders  ${r.decoders.join(', ')}`,
    `losses    ${r.losses.join(', ')}`,
    `datasets  ${r.datasets.join(', ')}`,
    `protocols ${r.protocols.join(', ')}`,
    `presets   ${r.presets.join(', ')}`,
  ].join('\n');
}
