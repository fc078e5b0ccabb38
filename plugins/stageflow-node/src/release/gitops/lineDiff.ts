const CONTEXT = 3;

/**
 * A unified diff of two texts (line based, three lines of context), for the
 * dry run and the pull request. Pin files are small: a plain LCS table.
 */
export function lineDiff(path: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Array<{
    kind: ' ' | '-' | '+';
    line: string;
    ai: number;
    bi: number;
  }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i], ai: i++, bi: j++ });
    } else if (
      i < a.length &&
      (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])
    ) {
      ops.push({ kind: '-', line: a[i], ai: i++, bi: j });
    } else {
      ops.push({ kind: '+', line: b[j], ai: i, bi: j++ });
    }
  }
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  if (!changed.length) {
    return '';
  }
  const hunks: string[] = [`--- a/${path}`, `+++ b/${path}`];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (
      end + 1 < changed.length &&
      changed[end + 1] - changed[end] <= 2 * CONTEXT
    ) {
      end++;
    }
    const from = Math.max(changed[start] - CONTEXT, 0);
    const to = Math.min(changed[end] + CONTEXT, ops.length - 1);
    const slice = ops.slice(from, to + 1);
    const aCount = slice.filter(op => op.kind !== '+').length;
    const bCount = slice.filter(op => op.kind !== '-').length;
    hunks.push(
      `@@ -${slice[0].ai + 1},${aCount} +${slice[0].bi + 1},${bCount} @@`,
      ...slice.map(op => `${op.kind}${op.line}`),
    );
    start = end + 1;
  }
  return hunks.join('\n');
}
