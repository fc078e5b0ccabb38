import { ResponseError } from '@backstage/errors';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StageflowApi, stageflowApiRef } from '../../api';
import { hotfixes, mockStageflowApi } from '../../testing';
import { HotfixCandidatePicker } from './HotfixCandidatePicker';

function renderPicker(
  api: StageflowApi,
  formContext: Record<string, unknown>,
  options: { onChange?: jest.Mock; formData?: string[] } = {},
) {
  return renderInTestApp(
    <TestApiProvider apis={[[stageflowApiRef, api]]}>
      <HotfixCandidatePicker
        {...({
          onChange: options.onChange ?? jest.fn(),
          schema: { title: 'Cherry-pick' },
          rawErrors: [],
          formData: options.formData,
          uiSchema: {},
          idSchema: { $id: 'root_cherryPick' },
          formContext: { formData: formContext },
        } as any)}
      />
    </TestApiProvider>,
  );
}

describe('HotfixCandidatePicker', () => {
  it('offers the candidates of the chosen component and outputs their shas', async () => {
    const api = mockStageflowApi();
    const onChange = jest.fn();
    await renderPicker(
      api,
      { entityRef: 'component:default/phippy' },
      { onChange, formData: ['ddddddd444'] },
    );
    expect(api.getHotfixes).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'phippy',
    });
    const fix = await screen.findByRole('checkbox', {
      name: 'fix: header overlaps menu (bbbbbbb)',
    });
    expect(
      screen.getByRole('checkbox', { name: 'perf: cache the menu (ddddddd)' }),
    ).toBeChecked();
    await userEvent.click(fix);
    // In the order the backend lists them, not the order of the clicks.
    expect(onChange).toHaveBeenLastCalledWith(
      hotfixes.candidates.map(c => c.sha),
    );
  });

  it('asks for the component first', async () => {
    const api = mockStageflowApi();
    await renderPicker(api, {});
    expect(screen.getByText('Choose the component first')).toBeInTheDocument();
    expect(api.getHotfixes).not.toHaveBeenCalled();
  });

  it('offers nothing, without an error, when the backend has no such endpoint', async () => {
    const notFound = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotFoundError', message: 'no such route' },
          response: { statusCode: 404 },
        }),
        { status: 404 },
      ),
    );
    const api = mockStageflowApi({
      getHotfixes: async () => {
        throw notFound;
      },
    });
    await renderPicker(api, { entityRef: 'component:default/phippy' });
    await waitFor(() => expect(screen.queryByText('Cherry-pick')).toBeNull());
    expect(screen.queryByText(/no such route/)).toBeNull();
  });

  it('says when there is no fix to carry', async () => {
    await renderPicker(
      mockStageflowApi({
        getHotfixes: async () => ({ open: [], candidates: [] }),
      }),
      { entityRef: 'component:default/phippy' },
    );
    expect(
      await screen.findByText(
        'No fix to carry: the last stage runs every fix of the release branch',
      ),
    ).toBeInTheDocument();
  });

  it('says when the candidates cannot be read', async () => {
    await renderPicker(
      mockStageflowApi({
        getHotfixes: jest.fn().mockRejectedValue(new Error('git host down')),
      }),
      { entityRef: 'component:default/phippy' },
    );
    expect(
      await screen.findByText(
        'Could not read the hotfix candidates: git host down',
      ),
    ).toBeInTheDocument();
  });
});
