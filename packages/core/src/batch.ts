/** Helpers for {@link Batch}: the tensors a batcher hands to a trainer, which the consumer disposes. */
import type { Batch } from './types';

/**
 * Disposes a batch's tensors (rgb, depth, mask).
 *
 * @example
 * for await (const b of batcher) { trainOn(b); disposeBatch(b); }
 */
export function disposeBatch(batch: Batch): void {
  batch.rgb.dispose();
  batch.depth.dispose();
  batch.mask.dispose();
}
