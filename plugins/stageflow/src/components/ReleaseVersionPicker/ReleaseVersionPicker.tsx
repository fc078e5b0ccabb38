import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  ComponentFieldUiOptions,
  ComponentOptionsField,
} from '../shared/ComponentOptionsField';

/**
 * Options of the `StageflowReleaseVersionPicker` field.
 *
 * @public
 */
export type ReleaseVersionPickerUiOptions = ComponentFieldUiOptions;

/**
 * A scaffolder field that lists the real releases of the component chosen in
 * another field of the form, newest first.
 *
 * @public
 */
export function ReleaseVersionPicker(
  props: FieldExtensionComponentProps<string, ReleaseVersionPickerUiOptions>,
) {
  return (
    <ComponentOptionsField
      field={props}
      defaultTitle="Version"
      defaultHelp="A release of the component"
      noneHelp="The component has no release yet"
      what="the releases"
      load={async (api, entity) => {
        const { releases } = await api.getReleases(entity);
        return {
          options: releases.map(release => ({
            value: release.version,
            label: `${release.version}${
              release.prerelease ? ' (prerelease)' : ''
            }`,
          })),
        };
      }}
    />
  );
}
