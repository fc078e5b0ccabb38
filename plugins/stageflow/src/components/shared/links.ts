import { Entity } from '@backstage/catalog-model';
import { GITHUB_PROJECT_SLUG_ANNOTATION } from '@stageflow/plugin-stageflow-common';

/** The `owner/repo` of the entity, when its repository is on GitHub. */
export function gitHubSlug(entity: Entity): string | undefined {
  const slug = entity.metadata.annotations?.[GITHUB_PROJECT_SLUG_ANNOTATION];
  return slug && /^[^/\s]+\/[^/\s]+$/.test(slug) ? slug : undefined;
}

export function releaseUrl(slug: string, tag: string): string {
  return `https://github.com/${slug}/releases/tag/${encodeURIComponent(tag)}`;
}

export function commitUrl(slug: string, sha: string): string {
  return `https://github.com/${slug}/commit/${encodeURIComponent(sha)}`;
}

/**
 * The scaffolder's form for a template, with the entity (and any other
 * parameter given) filled in.
 */
export function templateUrl(
  template: string,
  entityRef: string,
  values: Record<string, string | boolean> = {},
): string {
  const [namespace, name] = template.includes('/')
    ? template.split('/', 2)
    : ['default', template];
  return `/create/templates/${namespace}/${name}?formData=${encodeURIComponent(
    JSON.stringify({ entityRef, ...values }),
  )}`;
}
