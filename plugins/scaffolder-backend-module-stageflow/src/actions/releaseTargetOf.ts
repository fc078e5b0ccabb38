import { InputError } from '@backstage/errors';
import { ReleaseTargetSpec } from '@stageflow/plugin-stageflow-node';

/** The target of an action: its entityRef, or the repository / image. */
export function releaseTargetOf(input: {
  entityRef?: string;
  repoUrl?: string;
  image?: string;
}): ReleaseTargetSpec {
  const given = (['entityRef', 'repoUrl', 'image'] as const).filter(
    key => input[key] !== undefined,
  );
  if (given.length !== 1) {
    throw new InputError(
      `Invalid input: give exactly one of ${
        'image' in input ? 'entityRef, image' : 'entityRef, repoUrl'
      }`,
    );
  }
  const key = given[0];
  return { [key]: input[key]! } as ReleaseTargetSpec;
}
