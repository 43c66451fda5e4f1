import { DepthblocksError, loadOptional } from '../src';

test('loadOptional returns what the loader returns', () => {
  expect(loadOptional(() => ({ ok: 1 }), 'x needs y', 'npm install y')).toEqual({ ok: 1 });
});

test('a failed load is MISSING_DEPENDENCY naming what needed it, why, and how to install it', () => {
  let err: unknown;
  try {
    loadOptional(
      () => require('depthblocks-no-such-module'),
      'Decoding images needs depthblocks-no-such-module',
      'Install it: npm install x.',
    );
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DepthblocksError);
  expect((err as DepthblocksError).code).toBe('MISSING_DEPENDENCY');
  expect((err as Error).message).toMatch(
    /^Decoding images needs depthblocks-no-such-module, which could not be loaded \(Cannot find module 'depthblocks-no-such-module'.*\)\. Install it: npm install x\.$/,
  );
  expect((err as Error).message).not.toContain('\n');
});
