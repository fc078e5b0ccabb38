import { InputError } from '@backstage/errors';

// Git stores a ref as a file under refs/: a name component longer than the
// file system's NAME_MAX (255 bytes) fails late with "cannot lock ref".
// GitHub refuses long refs as well, so the whole name is kept within it.
const MAX_REF_BYTES = 255;

/** Refuses, naming the field, a ref name git could not store. */
export function assertRefNameLength(name: string, field: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_REF_BYTES) {
    throw new InputError(
      `Invalid input: ${field} gives the ref '${name.slice(
        0,
        40,
      )}...', ${bytes} bytes long; git refs may be at most ${MAX_REF_BYTES} bytes`,
    );
  }
}
