import { StageInfo } from '@stageflow/plugin-stageflow-common';

/**
 * What a stage was seen to run (an image tag read from the registry, or a
 * pin read from a GitOps repository), before it is judged against the flow.
 */
export interface StageObservation {
  /** The stage as far as seen, status `ok` until judged. */
  info: StageInfo;
  /** The commit it runs, when known. */
  revision?: string;
  /** The version its image's label names, when any. */
  labelVersion?: string;
}
