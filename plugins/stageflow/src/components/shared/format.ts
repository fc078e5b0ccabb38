import { DateTime } from 'luxon';

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 8);
}

export function relativeTime(iso: string): string {
  const date = DateTime.fromISO(iso);
  return date.isValid ? date.toRelative() ?? iso : iso;
}

export function absoluteTime(iso: string): string {
  const date = DateTime.fromISO(iso);
  return date.isValid ? date.toLocaleString(DateTime.DATETIME_MED) : iso;
}

/** `1 commit`, `4 commits`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
