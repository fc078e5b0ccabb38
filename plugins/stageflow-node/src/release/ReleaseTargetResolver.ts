import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FlowDefinition,
  GITHUB_PROJECT_SLUG_ANNOTATION,
  STAGEFLOW_GIT_URL_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
} from '@stageflow/plugin-stageflow-common';
import { claimKeyOf, imageClaimKey, repositoryClaimKey } from '../config';
import {
  ComponentTarget,
  readComponentTarget,
  readRepositoryLocator,
} from '../flows';
import { ReleaseTargetSpec } from './types';

/** What a write acts on: the repository (tags, branches) or the image. */
export type ClaimSubject = 'repository' | 'image';

function claimOf(entity: Entity, subject: ClaimSubject): string | undefined {
  try {
    if (subject === 'image') {
      const image = entity.metadata.annotations?.[STAGEFLOW_IMAGE_ANNOTATION];
      return image ? imageClaimKey(image) : undefined;
    }
    const locator = readRepositoryLocator(entity);
    return locator ? repositoryClaimKey(locator) : undefined;
  } catch {
    // A malformed annotation claims nothing; the catalog module reports it.
    return undefined;
  }
}

// The scaffolder's form `host?owner=o&repo=r`, or any git URL.
function repoUrlKey(repoUrl: string): string | undefined {
  const match = /^([^?/\s]+)\?(.+)$/.exec(repoUrl.trim());
  if (match) {
    const params = new URLSearchParams(match[2]);
    const owner = params.get('owner');
    const repo = params.get('repo');
    return owner && repo
      ? claimKeyOf(`${match[1]}/${owner}/${repo}`)
      : undefined;
  }
  return claimKeyOf(repoUrl);
}

/**
 * Finds the one entity a write acts through, and checks that it alone
 * claims the repository or image written to: another entity naming the
 * same one (an alias anyone could register) makes it a ConflictError
 * naming all of them, unless `stageflow.claims` says who owns it.
 */
export class ReleaseTargetResolver {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      flows: Record<string, FlowDefinition>;
      defaultFlow: string;
      claims: Record<string, string>;
    },
  ) {}

  async resolve(
    spec: ReleaseTargetSpec,
    subject: ClaimSubject,
    credentials: BackstageCredentials,
  ): Promise<ComponentTarget> {
    let entityRef: string;
    if ('entityRef' in spec) {
      entityRef = this.parseRef(spec.entityRef);
    } else {
      const key =
        'repoUrl' in spec
          ? repoUrlKey(spec.repoUrl)
          : imageClaimKey(spec.image);
      const field = 'repoUrl' in spec ? 'repoUrl' : 'image';
      if (!key) {
        throw new InputError(
          `Invalid input: ${field} must be ${
            field === 'repoUrl'
              ? 'a repository such as github.com?owner=acme&repo=phippy'
              : 'an image base such as registry.acme.example/acme/phippy'
          }`,
        );
      }
      entityRef = await this.ownerOf(
        key,
        field === 'repoUrl' ? 'repository' : 'image',
        field,
      );
    }
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new InputError(
        `Invalid input: entityRef ${entityRef} is not in the catalog (or not visible to you)`,
      );
    }
    const target = readComponentTarget(entity, this.options);
    if (subject === 'repository' && !target.repository) {
      throw new InputError(
        `Invalid input: ${entityRef} names no git repository (annotation ${GITHUB_PROJECT_SLUG_ANNOTATION} or ${STAGEFLOW_GIT_URL_ANNOTATION})`,
      );
    }
    const key =
      subject === 'repository'
        ? repositoryClaimKey(target.repository!)
        : imageClaimKey(target.image);
    if (key) {
      await this.assertSoleClaim(key, subject, entityRef);
    }
    return target;
  }

  private parseRef(ref: string): string {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, { defaultKind: 'component' }),
      );
    } catch {
      throw new InputError(
        `Invalid input: entityRef must be an entity ref such as component:default/phippy, got '${ref}'`,
      );
    }
  }

  /** Every entity claiming the key, read with the plugin's own rights. */
  private async claimants(
    key: string,
    subject: ClaimSubject,
  ): Promise<string[]> {
    const annotations =
      subject === 'image'
        ? [STAGEFLOW_IMAGE_ANNOTATION]
        : [STAGEFLOW_GIT_URL_ANNOTATION, GITHUB_PROJECT_SLUG_ANNOTATION];
    const { items } = await this.options.catalog.getEntities(
      {
        filter: annotations.map(a => ({
          [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS,
        })),
        fields: ['kind', 'metadata'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return [
      ...new Set(
        items
          .filter(entity => claimOf(entity, subject) === key)
          .map(entity => stringifyEntityRef(entity)),
      ),
    ].sort();
  }

  private async ownerOf(
    key: string,
    subject: ClaimSubject,
    field: string,
  ): Promise<string> {
    const configured = this.options.claims[key];
    if (configured) {
      return configured;
    }
    const claimants = await this.claimants(key, subject);
    if (claimants.length === 0) {
      throw new InputError(
        `Invalid input: ${field}: no catalog entity claims the ${subject} ${key}`,
      );
    }
    if (claimants.length > 1) {
      throw this.conflict(key, subject, claimants);
    }
    return claimants[0];
  }

  private async assertSoleClaim(
    key: string,
    subject: ClaimSubject,
    entityRef: string,
  ): Promise<void> {
    const configured = this.options.claims[key];
    if (configured) {
      if (configured !== entityRef) {
        throw new ConflictError(
          `The ${subject} ${key} belongs to ${configured} (stageflow.claims), not to ${entityRef}: act through ${configured}`,
        );
      }
      return;
    }
    const claimants = await this.claimants(key, subject);
    const others = claimants.filter(ref => ref !== entityRef);
    if (others.length > 0) {
      throw this.conflict(key, subject, [entityRef, ...others].sort());
    }
  }

  private conflict(key: string, subject: ClaimSubject, claimants: string[]) {
    return new ConflictError(
      `The ${subject} ${key} is claimed by ${
        claimants.length
      } entities (${claimants.join(
        ', ',
      )}); Stageflow acts on it only through one: remove the others' annotation or name its owner in stageflow.claims`,
    );
  }
}
