/**
 * A parsed image reference, Docker's conventions applied: Docker Hub is
 * `docker.io`, single-name repositories there live under `library/`.
 *
 * @public
 */
export interface ImageReference {
  /** Registry host, with port when given (e.g. `localhost:5000`). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Thrown for a malformed image reference.
 *
 * @remarks
 * Named `InputError` so that Backstage's error middleware answers 400 without
 * this isomorphic package depending on `@backstage/errors`.
 *
 * @public
 */
export class InvalidImageReferenceError extends Error {
  readonly reference: string;

  constructor(reference: string, reason: string) {
    super(`Invalid image reference "${reference}": ${reason}`);
    this.name = 'InputError';
    this.reference = reference;
  }
}

/** @public */
export const DOCKER_HUB_REGISTRY = 'docker.io';

const LEGACY_DOCKER_HUB_HOSTS = ['index.docker.io', 'registry-1.docker.io'];
const MAX_NAME_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const DOMAIN_COMPONENT =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6 = /^\[[0-9a-fA-F:.]+\]$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/**
 * Whether a string is a content digest this package accepts
 * (`sha256:<64 hex>` or `sha512:<128 hex>`, lowercase).
 *
 * @public
 */
export function isValidDigest(digest: string): boolean {
  return describeDigestProblem(digest) === undefined;
}

function describeDigestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon < 0) {
    return `digest "${digest}" must be <algorithm>:<hex>`;
  }
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (!length) {
    return `digest algorithm "${algorithm}" is not supported (sha256 or sha512)`;
  }
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    return `digest must be ${algorithm}: followed by ${length} lowercase hex characters`;
  }
  return undefined;
}

function describeHostProblem(host: string): string | undefined {
  let name = host;
  const portMatch = /^(.*):([^:\]]*)$/.exec(host);
  if (portMatch && !IPV6.test(host)) {
    name = portMatch[1];
    if (!/^[0-9]+$/.test(portMatch[2]) || Number(portMatch[2]) > 65535) {
      return `port "${portMatch[2]}" of registry "${host}" is not a number up to 65535`;
    }
  }
  if (IPV6.test(name)) {
    return undefined;
  }
  if (!name.split('.').every(c => DOMAIN_COMPONENT.test(c))) {
    return `registry host "${host}" is not a valid host name`;
  }
  return undefined;
}

/**
 * Parses an image reference the way `docker pull` reads it:
 * `[registry[:port]/]repository[:tag][@digest]`.
 *
 * @remarks
 * The first path component is a registry host when it contains `.` or `:`
 * or is `localhost`; otherwise the image is on Docker Hub (`docker.io`), where
 * a single-component name gets the `library/` prefix. `index.docker.io` is
 * normalised to `docker.io`. No default tag is added: callers decide whether
 * a missing tag means `latest`.
 *
 * @public
 */
export function parseImageReference(reference: string): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidImageReferenceError(reference, reason);
  };
  if (typeof reference !== 'string' || reference.trim() === '') {
    return fail('it is empty');
  }
  if (reference !== reference.trim() || /\s/.test(reference)) {
    return fail('it contains whitespace');
  }

  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = describeDigestProblem(digest);
    if (problem) {
      fail(problem);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  // A colon after the last slash separates the tag; before it, it is a port.
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (tag.length === 0) {
      fail('the tag after ":" is empty');
    }
    if (tag.length > MAX_TAG_LENGTH) {
      fail(`tag is ${tag.length} characters long, at most ${MAX_TAG_LENGTH}`);
    }
    if (!TAG.test(tag)) {
      fail(
        `tag "${tag}" may only contain letters, digits, "_", "." and "-" and may not start with "." or "-"`,
      );
    }
  }

  let registry = DOCKER_HUB_REGISTRY;
  let repository = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash > 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      repository = rest.slice(firstSlash + 1);
      const problem = describeHostProblem(registry);
      if (problem) {
        fail(problem);
      }
    }
  }
  if (LEGACY_DOCKER_HUB_HOSTS.includes(registry)) {
    registry = DOCKER_HUB_REGISTRY;
  }
  if (repository === '') {
    fail('the repository name is missing');
  }
  if (repository.length > MAX_NAME_LENGTH) {
    fail(`repository name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (/[A-Z]/.test(repository)) {
    fail(`repository "${repository}" must be lowercase`);
  }
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      fail(
        component === ''
          ? `repository "${repository}" has an empty path component`
          : `repository path component "${component}" may only contain lowercase letters, digits and single separators (".", "_", "__", "-")`,
      );
    }
  }
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) {
    repository = `library/${repository}`;
  }

  return {
    registry,
    repository,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/**
 * Writes a reference back in its full form, registry always included, so that
 * the string reads the same whatever the reader's default registry.
 *
 * @public
 */
export function formatImageReference(ref: ImageReference): string {
  let out = `${ref.registry}/${ref.repository}`;
  if (ref.tag) {
    out += `:${ref.tag}`;
  }
  if (ref.digest) {
    out += `@${ref.digest}`;
  }
  return out;
}
