import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { StageflowClient, stageflowApiRef } from './api';
import { rootRouteRef } from './routes';

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
  routes: { root: rootRouteRef },
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
