export { HotfixCandidatePicker } from './HotfixCandidatePicker';
export type { HotfixCandidatePickerUiOptions } from './HotfixCandidatePicker';
