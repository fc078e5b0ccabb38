import { createDevApp } from '@backstage/dev-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  EntityStageflowCard,
  EntityStageflowContent,
  StageflowPage,
  stageflowPlugin,
} from '../src/plugin';
import { stageflowApiRef } from '../src/api';
import { FakeStageflowApi } from './fakeStageflowApi';

const phippy: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'phippy',
    namespace: 'default',
    annotations: {
      'stageflow.io/image': 'registry.acme.test/acme/phippy',
      'stageflow.io/flow': 'oneflow',
      'github.com/project-slug': 'acme/phippy',
    },
  },
  spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
};

createDevApp()
  .registerPlugin(stageflowPlugin)
  .registerApi({
    api: stageflowApiRef,
    deps: {},
    factory: () => new FakeStageflowApi(),
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
