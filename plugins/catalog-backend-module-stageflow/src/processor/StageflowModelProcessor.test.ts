import { Entity } from '@backstage/catalog-model';
import { processingResult } from '@backstage/plugin-catalog-node';
import {
  buildPartnerGroup,
  buildStageInstanceComponent,
} from '@stageflow/plugin-stageflow-common';
import { StageflowModelProcessor } from './StageflowModelProcessor';

const location = { type: 'url', target: 'https://example.test/catalog.yaml' };

async function process(entity: Entity) {
  const emit = jest.fn();
  const result = await new StageflowModelProcessor().postProcessEntity(
    entity,
    location,
    emit,
  );
  expect(result).toBe(entity);
  return emit.mock.calls.map(call => call[0]);
}

describe('StageflowModelProcessor', () => {
  it('emits partnerOf and hasPartner for a partner Group', async () => {
    const partner = buildPartnerGroup({
      name: 'partner01',
      partnerOf: ['3000', 'component:acme/4000'],
    });
    expect(await process(partner)).toEqual([
      processingResult.relation({
        source: { kind: 'Group', namespace: 'default', name: 'partner01' },
        type: 'partnerOf',
        target: { kind: 'component', namespace: 'default', name: '3000' },
      }),
      processingResult.relation({
        source: { kind: 'component', namespace: 'default', name: '3000' },
        type: 'hasPartner',
        target: { kind: 'Group', namespace: 'default', name: 'partner01' },
      }),
      expect.objectContaining({ type: 'relation' }),
      expect.objectContaining({ type: 'relation' }),
    ]);
  });

  it('reports a stage instance that breaks the naming convention', async () => {
    const entity = buildStageInstanceComponent({
      appType: 'ap',
      appId: 'phippy',
      stage: 'prd',
      owner: 'group:team-a',
      project: '3000',
    });
    expect(await process(entity)).toEqual([]);
    entity.metadata.name = 'app-phippy-prd';
    const emitted = await process(entity);
    expect(emitted).toHaveLength(1);
    expect(emitted[0].type).toBe('error');
    expect(emitted[0].error.name).toBe('InputError');
    expect(emitted[0].error.message).toBe(
      'Component:default/app-phippy-prd: metadata.name stage instance name app type must be one of cs, ap, ps, got "app"',
    );
  });

  it('leaves entities outside the model alone', async () => {
    expect(
      await process({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: { name: 'no-domain' },
        spec: { owner: 'a' },
      }),
    ).toEqual([]);
  });
});
