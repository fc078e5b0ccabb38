export { ReleaseVersionPicker } from './ReleaseVersionPicker';
export type { ReleaseVersionPickerUiOptions } from './ReleaseVersionPicker';
