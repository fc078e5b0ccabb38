export { StagePicker } from './StagePicker';
export type { StagePickerUiOptions } from './StagePicker';
