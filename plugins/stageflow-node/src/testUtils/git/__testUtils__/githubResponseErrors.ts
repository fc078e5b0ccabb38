import Ajv, { ValidateFunction } from 'ajv';
import { githubDescription } from '../githubOpenApi';

/**
 * Validates responses of the fake GitHub against GitHub's own OpenAPI
 * description (`@octokit/openapi`, api.github.com). The description is
 * OpenAPI 3.0, whose `nullable` JSON Schema spells as a `null` type.
 */

type Json = any;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) {
    return node.map(toJsonSchema);
  }
  if (!node || typeof node !== 'object') {
    return node;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'nullable') {
      out[key] = toJsonSchema(value);
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) {
        out.enum = [...out.enum, null];
      }
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function load() {
  const spec = githubDescription();
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({
      $id: 'github',
      components: { schemas: toJsonSchema(spec.components.schemas) },
    });
  }
  return { ajv, spec };
}

/**
 * The schema errors of a response body for an operation (`POST`,
 * `/repos/{owner}/{repo}/pulls`, 201); an empty list when it conforms.
 * Throws when the description has no such response.
 */
export function githubResponseErrors(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const loaded = load();
  const key = `${method.toUpperCase()} ${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    let response =
      loaded.spec.paths[path]?.[method.toLowerCase()]?.responses?.[
        String(status)
      ];
    // Shared responses (validation_failed, not_found) are references.
    if (typeof response?.$ref === 'string') {
      response =
        loaded.spec.components.responses[response.$ref.split('/').pop()];
    }
    if (!response) {
      throw new Error(`GitHub's description has no response ${key}`);
    }
    let schema = response.content?.['application/json']?.schema;
    if (!schema && status < 400) {
      // No content in the description (204): nothing may come back.
      return body === undefined || body === '' ? [] : ['/ must be empty'];
    }
    // An error the description leaves without content: GitHub still sends
    // its basic error body.
    schema ??= { $ref: '#/components/schemas/basic-error' };
    validate = loaded.ajv.compile(toJsonSchema(rewriteRefs(schema)));
    validators.set(key, validate);
  }
  if (validate(body)) {
    return [];
  }
  return (validate.errors ?? []).map(
    error => `${error.instancePath || '/'} ${error.message}`,
  );
}

function rewriteRefs(node: Json): Json {
  if (Array.isArray(node)) {
    return node.map(rewriteRefs);
  }
  if (!node || typeof node !== 'object') {
    return node;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `github${value}`
        : rewriteRefs(value);
  }
  return out;
}
