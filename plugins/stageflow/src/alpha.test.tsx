import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { stageflowApiRef } from './api';
import stageflowPlugin, {
  stageflowEntityCard,
  stageflowEntityContent,
  stageflowPage,
} from './alpha';
import { mockStageflowApi, phippy } from './testing';

const notAnnotated = {
  ...phippy,
  metadata: { name: 'plain', namespace: 'default' },
};
const annotatedApi = { ...phippy, kind: 'API' };

describe('alpha extensions', () => {
  it.each([
    'api:stageflow',
    'entity-card:stageflow/stages',
    'entity-content:stageflow',
    'page:stageflow',
    'scaffolder-form-field:stageflow/release-version-picker',
    'scaffolder-form-field:stageflow/stage-picker',
  ])('provides %s, as the README says', id => {
    expect(() => stageflowPlugin.getExtension(id as any)).not.toThrow();
  });

  it('adds the Stageflow tab to annotated components', () => {
    const tester = createExtensionTester(stageflowEntityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('stageflow');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Stageflow');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(phippy)).toBe(true);
    expect(filter?.(notAnnotated)).toBe(false);
    expect(filter?.(annotatedApi)).toBe(false);
  });

  it('renders the Stageflow tab', async () => {
    const tester = createExtensionTester(stageflowEntityContent);
    await renderInTestApp(
      <EntityProvider entity={phippy}>{tester.reactElement()}</EntityProvider>,
      { apis: [[stageflowApiRef, mockStageflowApi()]] },
    );
    expect(
      await screen.findByText('DORA figures for prod, last 30 days'),
    ).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'v1.1.0' })).toBeInTheDocument();
  });

  it('renders the stages card for annotated components', async () => {
    const tester = createExtensionTester(stageflowEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(phippy)).toBe(true);
    expect(filter?.(notAnnotated)).toBe(false);

    await renderInTestApp(
      <EntityProvider entity={phippy}>{tester.reactElement()}</EntityProvider>,
      {
        apis: [[stageflowApiRef, mockStageflowApi()]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByText('Flow: oneflow')).toBeInTheDocument();
    expect(screen.getByText('staging')).toBeInTheDocument();
  });

  it('mounts the overview page at /stageflow', async () => {
    const tester = createExtensionTester(stageflowPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/stageflow');

    await renderInTestApp(tester.reactElement(), {
      apis: [[stageflowApiRef, mockStageflowApi()]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(await screen.findByText('Components (3 of 3)')).toBeInTheDocument();
  });
});
