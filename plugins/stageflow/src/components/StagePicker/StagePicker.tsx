import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  ComponentFieldUiOptions,
  ComponentOptionsField,
} from '../shared/ComponentOptionsField';

/**
 * Options of the `StageflowStagePicker` field.
 *
 * @public
 */
export type StagePickerUiOptions = ComponentFieldUiOptions;

/**
 * A scaffolder field that lists the stages of the flow of the component
 * chosen in another field of the form, in flow order, with what each runs;
 * the last stage is chosen until the user picks another.
 *
 * @public
 */
export function StagePicker(
  props: FieldExtensionComponentProps<string, StagePickerUiOptions>,
) {
  return (
    <ComponentOptionsField
      field={props}
      defaultTitle="Stage"
      defaultHelp="A stage of the component's flow"
      noneHelp="The component's flow has no stage"
      what="the stages"
      load={async (api, entity) => {
        const { stages } = await api.getStages(entity);
        return {
          options: stages.map(stage => ({
            value: stage.name,
            label: `${stage.name} (runs ${stage.version ?? stage.status})`,
          })),
          preferred: stages.at(-1)?.name,
        };
      }}
    />
  );
}
