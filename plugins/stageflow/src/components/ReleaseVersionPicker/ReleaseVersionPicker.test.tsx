import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { StageflowApi, stageflowApiRef } from '../../api';
import { ReleaseVersionPicker } from './ReleaseVersionPicker';

function renderPicker(
  api: Partial<StageflowApi>,
  formData: Record<string, unknown>,
  onChange = jest.fn(),
) {
  return renderInTestApp(
    <TestApiProvider apis={[[stageflowApiRef, api]]}>
      <ReleaseVersionPicker
        {...({
          onChange,
          schema: { title: 'Version' },
          required: true,
          rawErrors: [],
          formData: undefined,
          uiSchema: {},
          idSchema: { $id: 'root_version' },
          formContext: { formData },
        } as any)}
      />
    </TestApiProvider>,
  );
}

describe('ReleaseVersionPicker', () => {
  it('offers the releases of the chosen component, newest first', async () => {
    const getReleases = jest.fn(async () => ({
      releases: [
        { tag: 'v1.3.0', version: '1.3.0', sha: 'a', prerelease: false },
        {
          tag: 'v1.3.0-rc.1',
          version: '1.3.0-rc.1',
          sha: 'b',
          prerelease: true,
        },
        { tag: 'v1.2.1', version: '1.2.1', sha: 'c', prerelease: false },
      ],
    }));
    const onChange = jest.fn();
    await renderPicker(
      { getReleases },
      { entityRef: 'component:default/phippy' },
      onChange,
    );
    expect(getReleases).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'phippy',
    });
    fireEvent.mouseDown(
      await screen.findByRole('button', { name: /version/i }),
    );
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual([
      '1.3.0',
      '1.3.0-rc.1 (prerelease)',
      '1.2.1',
    ]);
    fireEvent.click(options[2]);
    expect(onChange).toHaveBeenCalledWith('1.2.1');
  });

  it('asks for the component first', async () => {
    const getReleases = jest.fn();
    await renderPicker({ getReleases }, {});
    expect(screen.getByText('Choose the component first')).toBeInTheDocument();
    expect(getReleases).not.toHaveBeenCalled();
  });

  it('says when the releases cannot be read', async () => {
    await renderPicker(
      { getReleases: jest.fn().mockRejectedValue(new Error('git host down')) },
      { entityRef: 'component:default/phippy' },
    );
    expect(
      await screen.findByText('Could not read the releases: git host down'),
    ).toBeInTheDocument();
  });
});
