import { createDevApp } from '@backstage/dev-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  EntityStageflowCard,
  EntityStageflowContent,
  StageflowPage,
  stageflowPlugin,
} from '../src/plugin';
import { stageflowApiRef } from '../src/api';
import { FakeStageflowApi, phippy } from '../src/testing';

createDevApp()
  .registerPlugin(stageflowPlugin)
  .registerApi({
    api: stageflowApiRef,
    deps: {},
    factory: () => new FakeStageflowApi({}, { components: 1000 }),
  })
  .addPage({
    title: 'Card',
    path: '/stageflow-card',
    element: (
      <EntityProvider entity={phippy}>
        <EntityStageflowCard />
      </EntityProvider>
    ),
  })
  .addPage({
    title: 'Tab',
    path: '/stageflow-tab',
    element: (
      <EntityProvider entity={phippy}>
        <EntityStageflowContent />
      </EntityProvider>
    ),
  })
  .addPage({
    title: 'Overview',
    path: '/stageflow',
    element: <StageflowPage />,
  })
  .render();
