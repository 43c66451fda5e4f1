/**
 * The evaluation-protocol registry: names -> protocol factories. The NYU and KITTI depth protocols register
 * in protocols.ts, the DIW ordinal protocol next to OrdinalAccumulator (accumulator.ts); a protocol written elsewhere registers the same
 * way and then works with createAccumulator, evaluate() and the CLI's `eval.protocol`.
 */
import { createRegistry } from '@depthblocks/core';
import type { DepthProtocol, ProtocolOptions } from './protocols';

/** An ordinal protocol (point pairs, WHDR/WKDR), as opposed to a {@link DepthProtocol}. */
export interface OrdinalProtocol {
  kind: 'ordinal';
  name: string;
  description: string;
  /** WKDR's threshold (default 0). */
  tau: number;
  equalMode: 'difference' | 'ratio';
}

/** A depth or ordinal evaluation protocol. */
export type Protocol = DepthProtocol | OrdinalProtocol;

/** What a protocol factory takes: depth protocols' options and ordinal ones'. */
export type AnyProtocolOptions = ProtocolOptions & { tau?: number; equalMode?: 'difference' | 'ratio' };

/** What {@link registerProtocol} records besides the factory. */
export interface ProtocolRegistration {
  description: string;
  kind: 'depth' | 'ordinal';
}

type ProtocolFactory = (options?: AnyProtocolOptions) => Protocol;

/** The registry itself. */
export const protocolRegistry = createRegistry<ProtocolFactory, ProtocolRegistration>('protocol');

/**
 * Registers an evaluation protocol.
 *
 * @example
 * registerProtocol('nyu-centre', (o) => ({ ...getProtocol('nyu-eigen', o), name: 'nyu-centre', crop: (h, w) => ({ top: h / 4, bottom: (3 * h) / 4, left: w / 4, right: (3 * w) / 4 }) }), { description: 'NYU, centre half only', kind: 'depth' });
 */
export function registerProtocol(
  name: string,
  factory: ProtocolFactory,
  spec: ProtocolRegistration,
  options: { replace?: boolean } = {},
): void {
  protocolRegistry.register(name, factory, spec, options);
}

/** Whether a protocol is registered under `name`. */
export function hasProtocol(name: string): boolean {
  return protocolRegistry.has(name);
}

/**
 * The registered protocols.
 *
 * @example
 * listProtocols().map((p) => p.name); // ['nyu-densedepth', 'nyu-eigen', 'kitti-eigen-garg', 'diw']
 */
export function listProtocols(): (ProtocolRegistration & { name: string })[] {
  return protocolRegistry.list().map(({ name, spec }) => ({ ...spec, name }));
}
