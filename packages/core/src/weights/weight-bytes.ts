/**
 * The bytes of a weight file, in any runtime: given as bytes, or downloaded from a URL. Every weight loader
 * (encoders' loadWeights, models' loadModelWeights) reads its source through here; Node's entry adds paths
 * (weight-files.ts).
 */
import { DepthblocksError } from '../errors';

/** Where a weight file comes from: its bytes, a URL, or (in Node) a path. */
export type WeightLocation = Uint8Array | URL | string;

/** A weight file's bytes and how to name them in messages (the URL, the path, or 'buffer'). */
export interface WeightBytes {
  bytes: Uint8Array;
  where: string;
}

/**
 * GET with one retry when the connection fails before any response: a kept-alive connection that the server
 * closed just as it was reused ("other side closed", ECONNRESET) is a race of timing, not an error of the URL.
 */
async function fetchOnce(url: URL | string): Promise<Response> {
  try {
    return await fetch(url);
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') return fetch(url);
    throw e;
  }
}

/**
 * Downloads a URL's bytes, with errors that say what to do.
 *
 * @example
 * const { bytes } = await fetchWeightBytes('https://example.org/resnet34.safetensors');
 */
export async function fetchWeightBytes(url: URL | string): Promise<WeightBytes> {
  const href = String(url);
  let res: Response;
  try {
    res = await fetchOnce(url);
  } catch (e) {
    const cause = (e as { cause?: { message?: string; code?: string } }).cause;
    throw new DepthblocksError(
      'FILE_NOT_FOUND',
      `Could not download weights from ${href}: ${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}. ` +
        'Check the network, or download the file and pass its bytes or path',
    );
  }
  if (!res.ok)
    throw new DepthblocksError('FILE_NOT_FOUND', `Could not download weights from ${href}: HTTP ${res.status} ${res.statusText}`);
  return { bytes: new Uint8Array(await res.arrayBuffer()), where: href };
}

/**
 * A weight file's bytes from its bytes or a URL (fetched; in a browser a relative URL is relative to the page).
 *
 * @example
 * const { bytes, where } = await weightBytes(new Uint8Array(await file.arrayBuffer())); // where: 'buffer'
 */
export async function weightBytes(source: WeightLocation): Promise<WeightBytes> {
  if (source instanceof Uint8Array) return { bytes: source, where: 'buffer' };
  if (source instanceof URL || typeof source === 'string') return fetchWeightBytes(source);
  throw new DepthblocksError(
    'INVALID_ARGUMENT',
    `A weight file must be given as bytes (Uint8Array), a URL or a path, got ${typeof source}`,
  );
}
