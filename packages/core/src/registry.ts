/**
 * One small registry type for every kind of extensible part (encoders, decoders, loss terms, presets,
 * dataset readers, evaluation protocols). Each package keeps one registry per kind, and each entry is
 * registered next to its implementation, so a part written outside this repository registers the same way.
 */
import { DepthblocksError } from './errors';
import { didYouMean } from './did-you-mean';

/** One registered part: its name, the function that makes it, and what is known about it. */
export interface RegistryEntry<Factory, Spec> {
  readonly name: string;
  readonly factory: Factory;
  readonly spec: Spec;
}

/** A name -> (factory, spec) table that says which names exist when a name is unknown. */
export interface Registry<Factory, Spec> {
  /** What it holds, singular ('encoder', 'loss term'), for messages. */
  readonly kind: string;
  /**
   * Adds an entry. Registering the same factory again under its name does nothing (a module loaded twice);
   * another factory under a taken name throws unless `{ replace: true }`.
   */
  register(name: string, factory: Factory, spec: Spec, options?: { replace?: boolean }): void;
  /** The entry, or `DepthblocksError('NOT_FOUND')` that lists the names and suggests the nearest. */
  get(name: string): RegistryEntry<Factory, Spec>;
  has(name: string): boolean;
  /** Every entry, in registration order. */
  list(): RegistryEntry<Factory, Spec>[];
  /** Every name, in registration order. */
  names(): string[];
}

/**
 * Creates an empty registry.
 *
 * @example
 * const widgets = createRegistry<(o?: { size?: number }) => Widget, { description: string }>('widget');
 * widgets.register('round', (o) => new RoundWidget(o), { description: 'a round widget' });
 * widgets.get('rnd'); // throws NOT_FOUND: Unknown widget "rnd" (did you mean "round"?); registered widgets: round
 */
export function createRegistry<Factory, Spec>(kind: string): Registry<Factory, Spec> {
  const entries = new Map<string, RegistryEntry<Factory, Spec>>();
  return {
    kind,
    register(name, factory, spec, options = {}) {
      if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `A ${kind} name must be letters, digits, '_', '.' or '-' (not starting with '.' or '-'), got ${JSON.stringify(name)}`,
        );
      }
      if (typeof factory !== 'function') {
        throw new DepthblocksError('INVALID_ARGUMENT', `register ${kind} "${name}": the factory must be a function, got ${typeof factory}`);
      }
      const old = entries.get(name);
      if (old && old.factory !== factory && !options.replace) {
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `A ${kind} named "${name}" is already registered; choose another name, or pass { replace: true } to replace it`,
        );
      }
      if (old && old.factory === factory && !options.replace) return;
      entries.set(name, Object.freeze({ name, factory, spec }));
    },
    get(name) {
      const e = entries.get(name);
      if (e) return e;
      const names = [...entries.keys()];
      throw new DepthblocksError(
        'NOT_FOUND',
        `Unknown ${kind} ${JSON.stringify(name)}${didYouMean(String(name), names)}; registered ${kind}s: ${names.join(', ') || '(none)'}`,
        { kind, name, registered: names },
      );
    },
    has: (name) => entries.has(name),
    list: () => [...entries.values()],
    names: () => [...entries.keys()],
  };
}
