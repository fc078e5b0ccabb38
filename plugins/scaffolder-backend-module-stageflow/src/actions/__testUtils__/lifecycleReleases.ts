import { NotFoundError } from '@backstage/errors';
import { ONEFLOW } from '@stageflow/plugin-stageflow-common';
import {
  finishHotfix,
  FinishHotfixRequest,
  ReleaseActor,
  ReleaseService,
} from '@stageflow/plugin-stageflow-node';
import { openLifecycleRepository } from '@stageflow/plugin-stageflow-node/testUtils';

const ENTITY_REF = 'component:default/phippy';

/**
 * A ReleaseService for action tests: `finishHotfix` runs the real
 * lifecycle function on a real repository (Oneflow) that
 * `component:default/phippy` and `git.acme.example?owner=acme&repo=phippy`
 * name; what the action does not call throws.
 */
export async function lifecycleReleases() {
  const opened = await openLifecycleRepository();
  const calls: Array<{ request: FinishHotfixRequest; actor: ReleaseActor }> =
    [];
  const unused = async (): Promise<never> => {
    throw new Error('not called by this action');
  };
  const releases: ReleaseService = {
    getStages: unused,
    getReleases: unused,
    getUnreleased: unused,
    getHotfixes: unused,
    tagRelease: unused,
    startHotfix: unused,
    promote: unused,
    async finishHotfix(request, actor) {
      calls.push({ request, actor });
      const target = request.target;
      const known =
        ('entityRef' in target && target.entityRef === ENTITY_REF) ||
        ('repoUrl' in target &&
          target.repoUrl === 'git.acme.example?owner=acme&repo=phippy');
      if (!known) {
        throw new NotFoundError(
          `No component claims ${JSON.stringify(target)}`,
        );
      }
      const {
        steps: _steps,
        conflicts: _conflicts,
        ...result
      } = await finishHotfix(opened.repository, ONEFLOW, request);
      return { entityRef: ENTITY_REF, ...result };
    },
  };
  return { ...opened, releases, calls };
}
