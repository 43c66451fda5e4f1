/** Config checking: zod issues -> one INVALID_CONFIG error naming the path, the value and the nearest valid key. */
import {
  acceptsNumber,
  closestName,
  configIssues,
  createRegistry,
  DepthblocksError,
  didYouMean,
  editDistance,
  formatConfigPath,
  parseWithSchema,
  registeredKeys,
  registeredName,
  schemaAt,
  z,
} from '../src';

const run = z.strictObject({
  train: z
    .strictObject({
      epochs: z.number().int().nonnegative().optional(),
      optimizer: z.strictObject({ name: z.enum(['adam', 'adamw', 'sgd']).optional(), lr: z.number().positive().optional() }).optional(),
      inputSize: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
    })
    .optional(),
  threads: z.number().int().positive().optional(),
  head: z.strictObject({ activation: z.enum(['linear', 'sigmoid']).default('linear') }).default({ activation: 'linear' }),
});

function error(value: unknown): DepthblocksError {
  try {
    parseWithSchema(run, value, 'Run config');
  } catch (e) {
    return e as DepthblocksError;
  }
  throw new Error('no error');
}

test('edit distance and the nearest name', () => {
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('haed', 'head')).toBe(1); // a swap is one edit
  expect(closestName('haed', ['encoder', 'decoder', 'head'])).toBe('head');
  expect(closestName('outputStrid', ['inChannels', 'outputStride', 'seed'])).toBe('outputStride');
  expect(closestName('nyu_labeled', ['nyu-labeled', 'kitti'])).toBe('nyu-labeled');
  expect(closestName('zzz', ['encoder', 'decoder'])).toBeUndefined();
  expect(didYouMean('trian', ['train', 'eval'])).toBe(' (did you mean "train"?)');
});

test('an unknown key names the nearest valid key, with its path', () => {
  const e = error({ trian: {} });
  expect(e.code).toBe('INVALID_CONFIG');
  expect(e.message).toBe('Run config: unknown key "trian" (did you mean "train"?)');
  expect(error({ train: { epoch: 3 } }).message).toBe('Run config: train: unknown key "epoch" (did you mean "epochs"?)');
  expect(error({ train: { xyz: 1 } }).message).toMatch(/unknown key "xyz"; valid keys: epochs, optimizer, inputSize/);
});

test('a wrong type names the field, the value and the expected type', () => {
  expect(error({ train: { optimizer: { lr: '1e-4' } } }).message).toBe(
    'Run config: train.optimizer.lr: expected number, got string "1e-4"',
  );
  expect(error({ threads: 0 }).message).toBe('Run config: threads: must be > 0, got number 0');
  expect(error({ threads: 1.5 }).message).toBe('Run config: threads: expected an integer, got number 1.5');
  expect(error({ train: { optimizer: { name: 'adm' } } }).message).toBe(
    'Run config: train.optimizer.name: expected one of "adam", "adamw", "sgd", got string "adm" (did you mean "adam"?)',
  );
  expect(error({ train: { inputSize: [200] } }).message).toMatch(/train.inputSize: must have at least 2 items, got an array \[200\]/);
});

test('several problems are listed one per line, in details too', () => {
  const e = error({ trian: 1, threads: 'two' });
  expect(e.message).toMatch(/^Run config has 2 problems:\n {2}- /);
  expect(e.message).toMatch(/threads: expected number, got string "two"/);
  expect(e.details?.issues).toHaveLength(2);
});

test('valid input returns the output with defaults filled in; configIssues takes a path prefix', () => {
  expect(parseWithSchema(run, { train: { epochs: 2 } }, 'x')).toEqual({ train: { epochs: 2 }, head: { activation: 'linear' } });
  expect(configIssues(run, { threads: -1 }, ['runs', 0])).toEqual([
    { path: ['runs', 0, 'threads'], message: 'must be > 0, got number -1' },
  ]);
  expect(formatConfigPath(['train', 'inputSize', 0])).toBe('train.inputSize[0]');
  expect(formatConfigPath(['loss', 'a b'])).toBe('loss["a b"]');
});

test('a union names the problem inside the branch whose type matched, or the types it takes', () => {
  const model = z.union([z.string(), z.strictObject({ encoder: z.string(), decoder: z.string() })]);
  const s = z.strictObject({ model });
  expect(configIssues(s, { model: { encoder: 'a' } })).toEqual([{ path: ['model'], message: 'decoder: is required (expected string)' }]);
  expect(configIssues(s, { model: 3 })).toEqual([{ path: ['model'], message: 'expected string or object, got number 3' }]);
  expect(configIssues(s, { model: { encoder: 'a', decoder: 'b', haed: 1 } })).toEqual([
    { path: ['model'], message: 'unknown key "haed"; valid keys: encoder, decoder' },
  ]);
});

test('registered names and keys are checked when parsing, so later registrations count', () => {
  const reg = createRegistry<() => number, object>('widget');
  reg.register('round', () => 1, {});
  const name = registeredName(reg);
  const weights = registeredKeys(reg, z.number().nonnegative());
  expect(configIssues(name, 'rond')).toEqual([{ path: [], message: 'unknown widget "rond" (did you mean "round"?)' }]);
  expect(configIssues(weights, { round: 1, sqare: 2 })).toEqual([
    { path: ['sqare'], message: 'unknown widget "sqare"; registered widgets: round' },
  ]);
  reg.register('square', () => 2, {});
  expect(configIssues(weights, { round: 1, square: 2 })).toEqual([]);
  expect(configIssues(weights, { round: -1 })).toEqual([{ path: ['round'], message: 'must be >= 0, got number -1' }]);
});

test('schemaAt finds a field through wrappers; acceptsNumber tells how to parse a flag for it', () => {
  const lr = schemaAt(run, ['train', 'optimizer', 'lr'])!;
  expect(lr.safeParse(1e-4).success).toBe(true);
  expect(acceptsNumber(lr)).toBe(true);
  expect(acceptsNumber(schemaAt(run, ['train', 'optimizer', 'name'])!)).toBe(false);
  expect(acceptsNumber(z.literal([32, 16]).optional())).toBe(true);
  expect(schemaAt(run, ['train', 'nope'])).toBeUndefined();
  expect(schemaAt(run, ['threads', 'x'])).toBeUndefined();
});
