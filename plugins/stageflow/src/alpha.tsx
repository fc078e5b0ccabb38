import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import TimelineIcon from '@material-ui/icons/Timeline';
import { StageflowClient, stageflowApiRef } from './api';
import { isStageflowAvailable } from './conditions';

// The new frontend system has route refs of its own.
const rootRouteRef = createRouteRef();

const stageflowApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: stageflowApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new StageflowClient({ discoveryApi, fetchApi }),
    }),
});

const stageflowEntityCard = EntityCardBlueprint.make({
  name: 'stages',
  params: {
    filter: entity =>
      entity.kind === 'Component' && isStageflowAvailable(entity),
    loader: () =>
      import('./components/EntityStageflowCard').then(m => (
        <m.EntityStageflowCard />
      )),
  },
});

const stageflowPage = PageBlueprint.make({
  params: {
    path: '/stageflow',
    title: 'Stageflow',
    icon: <TimelineIcon />,
    routeRef: rootRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/StageflowPage').then(m => <m.StageflowPage />),
  },
});

/**
 * The Stageflow frontend plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'stageflow',
  routes: { root: rootRouteRef },
  extensions: [stageflowApi, stageflowEntityCard, stageflowPage],
});
