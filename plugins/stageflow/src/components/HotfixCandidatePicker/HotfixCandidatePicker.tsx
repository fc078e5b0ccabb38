import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import useAsync from 'react-use/esm/useAsync';
import { stageflowApiRef } from '../../api';
import { unlessMissing } from '../../hooks';
import { ComponentFieldUiOptions } from '../shared/ComponentOptionsField';
import { shortSha } from '../shared';

/**
 * Options of the `StageflowHotfixCandidatePicker` field.
 *
 * @public
 */
export type HotfixCandidatePickerUiOptions = ComponentFieldUiOptions;

/**
 * A scaffolder field that offers the hotfix candidates of the component
 * chosen in another field of the form (the `fix:` and `perf:` commits of the
 * release branch that the last stage does not run) and outputs the chosen
 * shas, in the order the backend lists the candidates, for the
 * `cherryPick` input of `stageflow:hotfix:start`.
 *
 * @public
 */
export function HotfixCandidatePicker(
  props: FieldExtensionComponentProps<string[], HotfixCandidatePickerUiOptions>,
) {
  const {
    onChange,
    schema: { title = 'Cherry-pick', description },
    rawErrors,
    formData,
    uiSchema,
    formContext,
  } = props;
  const api = useApi(stageflowApiRef);
  const refField = uiSchema?.['ui:options']?.entityRefField ?? 'entityRef';
  const entityRef: string | undefined = formContext?.formData?.[refField];
  const { value, loading, error } = useAsync(async () => {
    if (!entityRef) return undefined;
    const entity = parseEntityRef(entityRef, { defaultKind: 'component' });
    return unlessMissing(() => api.getHotfixes(entity));
  }, [api, entityRef]);

  const candidates = value?.candidates ?? [];
  const chosen = new Set(formData ?? []);
  const toggle = (sha: string, checked: boolean) => {
    const next = new Set(chosen);
    if (checked) next.add(sha);
    else next.delete(sha);
    onChange(candidates.map(c => c.sha).filter(c => next.has(c)));
  };

  let help =
    description ??
    'Fixes of the release branch that the last stage does not run; the chosen ones are applied in this order';
  if (!entityRef) {
    help = 'Choose the component first';
  } else if (error) {
    help = `Could not read the hotfix candidates: ${error.message}`;
  } else if (!loading && candidates.length === 0) {
    help =
      'No fix to carry: the last stage runs every fix of the release branch';
  }

  // A backend without the endpoint (404): the field is not shown at all.
  if (entityRef && !loading && !error && !value) {
    return null;
  }

  return (
    <FormControl
      component="fieldset"
      fullWidth
      margin="normal"
      error={Boolean(error) || (rawErrors?.length ?? 0) > 0}
      disabled={!entityRef || loading}
    >
      <FormLabel component="legend">{title}</FormLabel>
      <FormGroup>
        {candidates.map(candidate => (
          <FormControlLabel
            key={candidate.sha}
            control={
              <Checkbox
                checked={chosen.has(candidate.sha)}
                onChange={(_, checked) => toggle(candidate.sha, checked)}
              />
            }
            label={`${candidate.subject} (${shortSha(candidate.sha)})`}
          />
        ))}
      </FormGroup>
      <FormHelperText>{help}</FormHelperText>
    </FormControl>
  );
}
