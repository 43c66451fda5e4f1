/**
 * "Did you mean ...?" for names that are almost right: registry names, config keys, enum values.
 */

/** Levenshtein distance (insert, delete, substitute: 1 each; a swap of two neighbours: 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const row = new Array<number>(n + 1);
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[n];
}

/**
 * The candidate closest to `name`, or undefined when none is close: equal ignoring case and `-`/`_`,
 * or within an edit distance of a third of the longer name (at least 1).
 *
 * @example
 * closestName('haed', ['encoder', 'decoder', 'head']); // 'head'
 * closestName('resnet43', ['resnet18', 'resnet34']);    // 'resnet34'
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === name) return c;
    const score = norm(c) === norm(name) ? 0 : editDistance(name.toLowerCase(), c.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(name.length, c.length) / 3));
    if (score <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/**
 * ` (did you mean "x"?)` when a candidate is close, else `''`: to append to an error message.
 *
 * @example
 * `Unknown key "epoch"${didYouMean('epoch', ['epochs', 'batchSize'])}`; // 'Unknown key "epoch" (did you mean "epochs"?)'
 */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closestName(name, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
