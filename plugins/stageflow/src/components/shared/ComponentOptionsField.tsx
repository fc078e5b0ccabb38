import { useApi } from '@backstage/core-plugin-api';
import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { StageflowApi, stageflowApiRef } from '../../api';

/** Options shared by the Stageflow scaffolder fields. */
export interface ComponentFieldUiOptions {
  /** The form field holding the component's entity ref (default `entityRef`). */
  entityRefField?: string;
}

/** What a field offers for the component chosen in the form. */
export interface ComponentFieldChoices {
  options: Array<{ value: string; label: string }>;
  /** Chosen for the user while the field is empty. */
  preferred?: string;
}

/**
 * A select whose options are read from the Stageflow backend for the
 * component chosen in another field of the same form.
 */
export function ComponentOptionsField(props: {
  field: FieldExtensionComponentProps<string, ComponentFieldUiOptions>;
  defaultTitle: string;
  defaultHelp: string;
  /** Help when the component offers nothing, e.g. 'The component has no release yet'. */
  noneHelp: string;
  /** What is read, for the error, e.g. 'the releases'. */
  what: string;
  load: (
    api: StageflowApi,
    entity: CompoundEntityRef,
  ) => Promise<ComponentFieldChoices>;
}) {
  const { field, load } = props;
  const {
    onChange,
    schema: { title = props.defaultTitle, description },
    required,
    rawErrors,
    formData,
    uiSchema,
    formContext,
    idSchema,
  } = field;
  const api = useApi(stageflowApiRef);
  const refField = uiSchema?.['ui:options']?.entityRefField ?? 'entityRef';
  const entityRef: string | undefined = formContext?.formData?.[refField];
  const { value, loading, error } = useAsync(async () => {
    if (!entityRef) {
      return { options: [] } as ComponentFieldChoices;
    }
    return load(api, parseEntityRef(entityRef, { defaultKind: 'component' }));
  }, [api, entityRef]);

  const preferred = value?.preferred;
  useEffect(() => {
    if (preferred && !formData) {
      onChange(preferred);
    }
  }, [preferred, formData, onChange]);

  let help = description ?? props.defaultHelp;
  if (!entityRef) {
    help = 'Choose the component first';
  } else if (error) {
    help = `Could not read ${props.what}: ${error.message}`;
  } else if (value && value.options.length === 0) {
    help = props.noneHelp;
  }

  const id = idSchema?.$id ?? 'stageflow-field';
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
        {(value?.options ?? []).map(option => (
          <MenuItem key={option.value} value={option.value}>
            {option.label}
          </MenuItem>
        ))}
      </Select>
      <FormHelperText>{help}</FormHelperText>
    </FormControl>
  );
}
