import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { stageflowApiRef } from '../../api';
import { mockStageflowApi, phippy } from '../../testing';
import { PromotionRequestsTable } from './PromotionRequestsTable';

const goldie = { ...phippy, metadata: { ...phippy.metadata, name: 'goldie' } };

describe('PromotionRequestsTable', () => {
  it('approves a pending request and shows it done', async () => {
    const api = mockStageflowApi();
    await renderInTestApp(
      <TestApiProvider apis={[[stageflowApiRef, api]]}>
        <PromotionRequestsTable entity={goldie} />
      </TestApiProvider>,
    );
    const row = (
      await screen.findByText('user:default/bjoern.dieding')
    ).closest('tr')!;
    expect(within(row).getByText('pending')).toBeInTheDocument();
    expect(within(row).getByText('0/1')).toBeInTheDocument();

    await userEvent.click(within(row).getByRole('button', { name: 'Approve' }));

    expect(api.decidePromotion).toHaveBeenCalledWith(
      '8f1d5d1e-6c7e-4a57-9d0b-1f1c2a3b4c5d',
      'approve',
    );
    expect(await screen.findByText('done')).toBeInTheDocument();
    expect(screen.getByText('1/1')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('shows why a decision was refused', async () => {
    const api = mockStageflowApi({
      decidePromotion: async () => {
        throw new Error(
          'You requested promotion 8f1d; another approver must approve it',
        );
      },
    });
    await renderInTestApp(
      <TestApiProvider apis={[[stageflowApiRef, api]]}>
        <PromotionRequestsTable entity={goldie} />
      </TestApiProvider>,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve' }),
    );
    expect(
      (await screen.findAllByText(/another approver must approve it/))[0],
    ).toBeInTheDocument();
  });
});
