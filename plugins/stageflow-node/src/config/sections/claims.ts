import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import { claimKeyOf } from '../claimKeys';

const entityRefSchema = z.string().transform((ref, ctx) => {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'component' }),
    );
  } catch {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be an entity ref such as component:default/phippy, got '${ref}'`,
    });
    return z.NEVER;
  }
});

/**
 * `stageflow.claims`: the owner of a repository or image several entities
 * name, keyed by its normalized key.
 */
export const claimsSection = z
  .record(entityRefSchema)
  .default({})
  .transform((claims, ctx) => {
    const byKey: Record<string, string> = {};
    for (const [key, owner] of Object.entries(claims)) {
      const normalized = claimKeyOf(key);
      if (!normalized) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          message:
            'must be keyed by a repository (host/owner/repo or a git URL) or an image (registry/path)',
        });
        return z.NEVER;
      }
      byKey[normalized] = owner;
    }
    return byKey;
  });
