/**
 * Optional dependencies (sharp, for instance) are loaded when first needed, so that a user who never needs one
 * never installs it. This turns a failed load into an error that says what needed it and how to install it.
 */
import { DepthblocksError } from './errors';

/**
 * Runs `load` (a `require` written in the caller's package, so that its own node_modules are searched) and returns
 * the module, or throws `MISSING_DEPENDENCY`: "<need>, which could not be loaded (<reason>). <install>".
 *
 * @example
 * const sharp = loadOptional(() => require('sharp'), 'Decoding images in Node needs sharp', 'Install it: npm install sharp.');
 */
export function loadOptional<T>(load: () => T, need: string, install: string): T {
  try {
    return load();
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    throw new DepthblocksError('MISSING_DEPENDENCY', `${need}, which could not be loaded (${reason}). ${install}`);
  }
}
