import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import useAsync from 'react-use/esm/useAsync';
import { stageflowApiRef } from '../../api';

/**
 * Options of the `StageflowReleaseVersionPicker` field.
 *
 * @public
 */
export interface ReleaseVersionPickerUiOptions {
  /** The form field holding the component's entity ref (default `entityRef`). */
  entityRefField?: string;
}

/**
 * A scaffolder field that lists the real releases of the component chosen in
 * another field of the form, newest first.
 *
 * @public
 */
export function ReleaseVersionPicker(
  props: FieldExtensionComponentProps<string, ReleaseVersionPickerUiOptions>,
) {
  const {
    onChange,
    schema: { title = 'Version', description },
    required,
    rawErrors,
    formData,
    uiSchema,
    formContext,
    idSchema,
  } = props;
  const api = useApi(stageflowApiRef);
  const field = uiSchema?.['ui:options']?.entityRefField ?? 'entityRef';
  const entityRef: string | undefined = formContext?.formData?.[field];
  const { value, loading, error } = useAsync(async () => {
    if (!entityRef) {
      return [];
    }
    const { releases } = await api.getReleases(
      parseEntityRef(entityRef, { defaultKind: 'component' }),
    );
    return releases;
  }, [api, entityRef]);

  let help = description ?? 'A release of the component';
  if (!entityRef) {
    help = 'Choose the component first';
  } else if (error) {
    help = `Could not read the releases: ${error.message}`;
  } else if (value && value.length === 0) {
    help = 'The component has no release yet';
  }

  const id = idSchema?.$id ?? 'stageflow-release-version';
  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      error={Boolean(error) || (rawErrors?.length ?? 0) > 0}
      disabled={!entityRef || loading}
    >
      <InputLabel id={`${id}-label`}>{title}</InputLabel>
      <Select
        labelId={`${id}-label`}
        id={id}
        value={formData ?? ''}
        onChange={event => onChange(event.target.value as string)}
      >
        {(value ?? []).map(release => (
          <MenuItem key={release.tag} value={release.version}>
            {release.version}
            {release.prerelease ? ' (prerelease)' : ''}
          </MenuItem>
        ))}
      </Select>
      <FormHelperText>{help}</FormHelperText>
    </FormControl>
  );
}
