import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { StageflowApi, stageflowApiRef } from '../../api';
import { stages } from '../../testing';
import { StagePicker } from './StagePicker';

function renderPicker(
  api: Partial<StageflowApi>,
  formData: Record<string, unknown>,
  options: { value?: string; onChange?: jest.Mock } = {},
) {
  const onChange = options.onChange ?? jest.fn();
  return renderInTestApp(
    <TestApiProvider apis={[[stageflowApiRef, api]]}>
      <StagePicker
        {...({
          onChange,
          schema: { title: 'Stage' },
          required: true,
          rawErrors: [],
          formData: options.value,
          uiSchema: {},
          idSchema: { $id: 'root_stage' },
          formContext: { formData },
        } as any)}
      />
    </TestApiProvider>,
  );
}

describe('StagePicker', () => {
  it("offers the stages of the chosen component's flow, in order, and picks the last", async () => {
    const getStages = jest.fn(async () => stages);
    const onChange = jest.fn();
    await renderPicker(
      { getStages },
      { entityRef: 'component:default/phippy' },
      { onChange },
    );
    expect(getStages).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'phippy',
    });
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('prod'));
    fireEvent.mouseDown(await screen.findByRole('button', { name: /stage/i }));
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual(
      stages.stages.map(s => `${s.name} (runs ${s.version ?? s.status})`),
    );
    fireEvent.click(options[0]);
    expect(onChange).toHaveBeenLastCalledWith('staging');
  });

  it('keeps a stage the user chose', async () => {
    const onChange = jest.fn();
    await renderPicker(
      { getStages: jest.fn(async () => stages) },
      { entityRef: 'component:default/phippy' },
      { value: 'staging', onChange },
    );
    expect(
      await screen.findByRole('button', { name: /staging/ }),
    ).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('asks for the component first', async () => {
    const getStages = jest.fn();
    await renderPicker({ getStages }, {});
    expect(screen.getByText('Choose the component first')).toBeInTheDocument();
    expect(getStages).not.toHaveBeenCalled();
  });

  it('says when the stages cannot be read', async () => {
    await renderPicker(
      { getStages: jest.fn().mockRejectedValue(new Error('backend down')) },
      { entityRef: 'component:default/phippy' },
    );
    expect(
      await screen.findByText('Could not read the stages: backend down'),
    ).toBeInTheDocument();
  });
});
