export {
  UpstreamError,
  unconfiguredHostError,
  type UpstreamErrorOptions,
  type UpstreamKind,
  type UpstreamNoResponse,
} from './UpstreamError';
export {
  UpstreamPolicy,
  type UpstreamPolicyOptions,
  type UpstreamRequest,
} from './UpstreamPolicy';
export {
  UpstreamPolicies,
  type UpstreamPoliciesOptions,
} from './UpstreamPolicies';
export {
  DEFAULT_RESILIENCE,
  readResilienceConfig,
  type ResilienceConfig,
  type ResilienceOptions,
} from './readResilienceConfig';
export {
  LastKnownGood,
  staleReasonOf,
  type LastKnownGoodAnswer,
  type LastKnownGoodOptions,
} from './LastKnownGood';
export { StaleMarks } from './StaleMarks';
