import { createRouteRef } from '@backstage/core-plugin-api';

export const rootRouteRef = createRouteRef({ id: 'stageflow' });

export const entityContentRouteRef = createRouteRef({
  id: 'stageflow:entity-content',
});
