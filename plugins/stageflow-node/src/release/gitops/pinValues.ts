import { isScalar, parseDocument } from 'yaml';

/** The roles a pinned value plays. */
export type PinRole = 'tag' | 'digest' | 'revision';

/** Values by role, as read from or written to a pin file. */
export type PinValues = Partial<Record<PinRole, string>>;

const ROLES: PinRole[] = ['tag', 'digest', 'revision'];

function keysOf(path: string): string[] {
  return path.split('.');
}

function parse(text: string, file: string) {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new Error(
      `${file} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`,
    );
  }
  return doc;
}

/**
 * Reads the pinned values at their dotted paths; `missing` names the paths
 * that hold no scalar. Numbers read as text (`tag: 1.2` is version `1.2`).
 */
export function readPinValues(
  text: string,
  paths: Partial<Record<PinRole, string>>,
  file: string,
): { values: PinValues; missing: string[] } {
  const doc = parse(text, file);
  const values: PinValues = {};
  const missing: string[] = [];
  for (const role of ROLES) {
    const path = paths[role];
    if (!path) {
      continue;
    }
    const node = doc.getIn(keysOf(path), true);
    const value = isScalar(node) ? node.value : undefined;
    if (
      (typeof value === 'string' && value !== '') ||
      typeof value === 'number'
    ) {
      values[role] = String(value);
    } else {
      missing.push(path);
    }
  }
  return { values, missing };
}

/** The indentation the file uses, so that a rewrite keeps it. */
function indentOf(text: string): number {
  const indented = /^[^\s#][^\n]*:[ \t]*(?:#[^\n]*)?\n( +)[^\s-]/m.exec(text);
  return indented ? indented[1].length : 2;
}

/**
 * Sets values at dotted paths through the YAML document, so comments,
 * order, quoting and layout survive: an existing scalar keeps its node (and
 * its quote style), only its value changes. Missing keys are created.
 */
export function writePinValues(
  text: string,
  updates: Array<{ path: string; value: string }>,
  file: string,
): string {
  const doc = parse(text, file);
  for (const { path, value } of updates) {
    const keys = keysOf(path);
    const node = doc.getIn(keys, true);
    if (isScalar(node)) {
      node.value = value;
    } else {
      doc.setIn(keys, value);
    }
  }
  return doc.toString({ indent: indentOf(text), lineWidth: 0 });
}
