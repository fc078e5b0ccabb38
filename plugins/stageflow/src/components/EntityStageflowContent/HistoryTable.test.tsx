import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { HistoryTable } from './HistoryTable';

describe('HistoryTable', () => {
  it('names the approvers and offers to roll back to what a stage ran before', async () => {
    await renderInTestApp(
      <HistoryTable
        entityRef="component:default/goldie"
        transitions={[
          {
            stage: 'prd',
            observedAt: '2026-12-01T10:00:00.000Z',
            fromVersion: '1.2.0',
            toVersion: '1.2.1',
            status: 'ok',
            actor: 'user:default/bjoern.dieding',
            approvers: ['user:default/guest'],
          },
        ]}
      />,
    );
    expect(
      screen.getByText(
        'user:default/bjoern.dieding (approved by user:default/guest)',
      ),
    ).toBeInTheDocument();
    const link = screen.getByRole('button', { name: 'Roll back to 1.2.0' });
    const url = new URL(link.getAttribute('href')!, 'http://localhost');
    expect(url.pathname).toBe('/create/templates/default/promote-to-stage');
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      entityRef: 'component:default/goldie',
      stage: 'prd',
      version: '1.2.0',
      allowDowngrade: true,
      rollback: true,
    });
  });
});
