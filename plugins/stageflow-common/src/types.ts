/**
 * Status of one stage of a component.
 *
 * - `ok`: the stage runs a release, as the flow says it should.
 * - `drift`: what runs is not a release, or not what the flow says.
 * - `missing`: the stage's image tag does not exist.
 * - `error`: the stage could not be resolved; `message` says why.
 *
 * @public
 */
export type StageStatus = 'ok' | 'drift' | 'missing' | 'error';

/**
 * How far a stage is behind the next stage of its flow.
 *
 * @public
 */
export interface StageBehind {
  stage: string;
  commits: number;
  releases: number;
}

/**
 * What one stage of a component runs.
 *
 * @public
 */
export interface StageInfo {
  name: string;
  image: string;
  digest?: string;
  revision?: string;
  version?: string;
  tag?: string;
  createdAt?: string;
  status: StageStatus;
  message?: string;
  behind?: StageBehind;
}

/**
 * A release: a git tag that matches the flow's tag pattern.
 *
 * @public
 */
export interface Release {
  tag: string;
  version: string;
  sha: string;
  date?: string;
  prerelease: boolean;
}

/**
 * Response of `GET /v1/entities/:kind/:namespace/:name/stages`.
 *
 * @public
 */
export interface StagesResponse {
  entityRef: string;
  flow: string;
  stages: StageInfo[];
  latestRelease?: Release;
}

/**
 * Response of `GET /v1/entities/:kind/:namespace/:name/releases`.
 *
 * @public
 */
export interface ReleasesResponse {
  releases: Release[];
}

/**
 * Response of `GET /health`.
 *
 * @public
 */
export interface HealthResponse {
  status: 'ok';
}
