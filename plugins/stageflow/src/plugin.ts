import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { HotfixCandidatePicker } from './components/HotfixCandidatePicker';
import { ReleaseVersionPicker } from './components/ReleaseVersionPicker';
import { StagePicker } from './components/StagePicker';
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { StageflowClient, stageflowApiRef } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/**
 * The Stageflow frontend plugin (legacy frontend system).
 *
 * @public
 */
export const stageflowPlugin = createPlugin({
  id: 'stageflow',
  apis: [
    createApiFactory({
      api: stageflowApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new StageflowClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, entityContent: entityContentRouteRef },
});

/**
 * Entity card: the versions that run in each stage.
 *
 * @public
 */
export const EntityStageflowCard = stageflowPlugin.provide(
  createComponentExtension({
    name: 'EntityStageflowCard',
    component: {
      lazy: () =>
        import('./components/EntityStageflowCard').then(
          m => m.EntityStageflowCard,
        ),
    },
  }),
);

/**
 * Entity tab: delivery figures, comparison, releases and stage history.
 *
 * @public
 */
export const EntityStageflowContent = stageflowPlugin.provide(
  createRoutableExtension({
    name: 'EntityStageflowContent',
    component: () =>
      import('./components/EntityStageflowContent').then(
        m => m.EntityStageflowContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * Overview page of every component Stageflow follows.
 *
 * @public
 */
export const StageflowPage = stageflowPlugin.provide(
  createRoutableExtension({
    name: 'StageflowPage',
    component: () =>
      import('./components/StageflowPage').then(m => m.StageflowPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Scaffolder field `StageflowReleaseVersionPicker` (legacy frontend system):
 * add it inside `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const StageflowReleaseVersionPickerFieldExtension =
  stageflowPlugin.provide(
    createScaffolderFieldExtension({
      name: 'StageflowReleaseVersionPicker',
      component: ReleaseVersionPicker,
    }),
  );

/**
 * Scaffolder field `StageflowStagePicker` (legacy frontend system): add it
 * inside `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const StageflowStagePickerFieldExtension = stageflowPlugin.provide(
  createScaffolderFieldExtension({
    name: 'StageflowStagePicker',
    component: StagePicker,
  }),
);

/**
 * Scaffolder field `StageflowHotfixCandidatePicker` (legacy frontend
 * system): add it inside `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const StageflowHotfixCandidatePickerFieldExtension =
  stageflowPlugin.provide(
    createScaffolderFieldExtension({
      name: 'StageflowHotfixCandidatePicker',
      component: HotfixCandidatePicker,
    }),
  );
