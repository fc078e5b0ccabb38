import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  CONTRIBUTOR_ANNOTATION_GROUPS,
  ContributorRules,
  DEFAULT_CONTRIBUTOR_KINDS,
  MODEL_KINDS,
  contributorNameProblem,
} from '@stageflow/plugin-stageflow-common';
import { z } from 'zod';

/**
 * The size limit of a contributor's set when its config gives none: well
 * above an organisation's inventory, well below what makes the catalog
 * provider's reads slow.
 *
 * @public
 */
export const DEFAULT_MAX_ENTITIES = 1000;

/**
 * A configured contributor (`stageflow.contributors.<name>`), read once.
 *
 * @public
 */
export interface ContributorConfig extends ContributorRules {
  name: string;
  /** Who may write the set. */
  writers: {
    /** Full user refs, `user:default/guest`. */
    users: string[];
    /** Full group refs; a user who is a member may write. */
    groups: string[];
    /** Subjects of service principals (static or external access tokens). */
    services: string[];
  };
  /** The most entities the set may hold. */
  maxEntities: number;
}

function entityRefOfKind(kind: 'user' | 'group') {
  return z.string().transform((value, ctx) => {
    try {
      const ref = parseEntityRef(value, { defaultKind: kind });
      if (ref.kind.toLocaleLowerCase('en-US') !== kind) {
        throw new Error(`must be a ${kind} ref`);
      }
      return stringifyEntityRef(ref);
    } catch (error) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `must be a ${kind} ref such as ${kind}:default/name, got "${value}"`,
      });
      return z.NEVER;
    }
  });
}

/**
 * The schema of one `stageflow.contributors.<name>` entry.
 *
 * @public
 */
export const contributorConfigSchema = z
  .object({
    writers: z
      .object({
        users: z.array(entityRefOfKind('user')).default([]),
        groups: z.array(entityRefOfKind('group')).default([]),
        services: z.array(z.string().regex(/^\S+$/)).default([]),
      })
      .strict()
      .default({}),
    kinds: z
      .array(z.enum(MODEL_KINDS))
      .min(1)
      .default([...DEFAULT_CONTRIBUTOR_KINDS]),
    annotations: z.array(z.enum(CONTRIBUTOR_ANNOTATION_GROUPS)).default([]),
    maxEntities: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(DEFAULT_MAX_ENTITIES),
  })
  .strict();

const contributorName = z.string().superRefine((name, ctx) => {
  const problem = contributorNameProblem(name);
  if (problem) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `the name ${problem}`,
    });
  }
});

/**
 * `stageflow.contributors`: the contributors that may write, by name. A
 * contributor that is not listed may not write at all.
 */
export const contributorsSection = z
  .record(contributorName, contributorConfigSchema)
  .default({})
  .transform(
    (contributors): Map<string, ContributorConfig> =>
      new Map(
        Object.entries(contributors).map(([name, contributor]) => [
          name,
          { name, ...contributor },
        ]),
      ),
  );
