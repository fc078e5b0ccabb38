import {
  FlowDefinition,
  isValidReleaseTagPattern,
} from '@stageflow/plugin-stageflow-common';
import { z } from 'zod';
import {
  isGitopsRepository,
  isSafeRepositoryPath,
} from '../../release/gitops/gitopsLocations';
import { approvalSchema, freezeSchema } from '../approvalSchemas';

const template = z
  .string()
  .min(1)
  .refine(t => t.includes('{image}'), 'must contain {image}');

const valuePath = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
  message: 'must be a dotted path of keys, e.g. image.tag',
});

const placeholdersOnly = (allowed: string[]) => (t: string) =>
  [...t.matchAll(/\{(\w+)\}/g)].every(([, key]) => allowed.includes(key));

const gitopsSourceSchema = z
  .object({
    type: z.literal('gitops'),
    repository: z
      .string()
      .refine(
        isGitopsRepository,
        'must be a git URL or host/owner/repo on a configured GitHub host',
      ),
    path: z
      .string()
      .min(1)
      .refine(
        placeholdersOnly(['stage', 'component']),
        'may only use {stage} and {component}',
      )
      .refine(
        t => isSafeRepositoryPath(t.replace(/\{(\w+)\}/g, 'x')),
        'must be a relative path without .. or empty segments',
      ),
    branch: z.string().min(1).default('main'),
    via: z.enum(['push', 'pull-request']).default('push'),
    values: z
      .object({
        tag: valuePath,
        digest: valuePath,
        revision: valuePath,
      })
      .partial()
      .strict()
      .refine(
        v => Boolean(v.tag || v.digest || v.revision),
        'must name at least one of tag, digest, revision',
      ),
    pinTag: z
      .string()
      .min(1)
      .refine(
        placeholdersOnly(['version', 'tag', 'sha']),
        'may only use {version}, {tag} and {sha}',
      )
      .optional(),
  })
  .strict();

/** One flow of `stageflow.flows`. */
export const flowSchema = z
  .object({
    tagPattern: z
      .string()
      .refine(isValidReleaseTagPattern, 'must contain {version} exactly once'),
    branches: z.object({
      release: z.string().min(1),
      develop: z.string().min(1),
      hotfix: z
        .string()
        .refine(t => t.includes('{name}'), 'must contain {name}'),
    }),
    candidateImage: template.refine(
      t => t.includes('{sha}'),
      'must contain {sha}',
    ),
    stages: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
              message: 'must be lowercase letters, digits and dashes',
            }),
            image: template,
            promoteTo: z.array(template).optional(),
            branch: z.string().min(1).optional(),
            source: gitopsSourceSchema.optional(),
            approval: approvalSchema.optional(),
            freeze: z.array(freezeSchema).optional(),
          })
          .strict(),
      )
      .min(1)
      .superRefine((stages, ctx) => {
        const names = stages.map(s => s.name);
        const duplicate = names.find((n, i) => names.indexOf(n) !== i);
        if (duplicate) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `stage '${duplicate}' is listed twice`,
          });
        }
      }),
  })
  .strict();

/** A configured flow as the rest of Stageflow takes it. */
export function toFlow(
  name: string,
  flow: z.output<typeof flowSchema>,
): FlowDefinition {
  return {
    name,
    tagPattern: flow.tagPattern,
    branches: flow.branches,
    candidateImage: flow.candidateImage,
    stages: flow.stages.map(({ branch, ...stage }) => ({
      ...stage,
      expects: branch ? { branch } : { release: true },
    })),
  };
}
