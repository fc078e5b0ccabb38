export * from './types';
export { MEDIA_TYPES } from './manifest';
export type { RegistryCredentials } from './RegistryTransport';
export {
  DistributionRegistryClient,
  type DistributionRegistryClientOptions,
} from './DistributionRegistryClient';
export {
  OciLayoutRegistryClient,
  OCI_REF_NAME_ANNOTATION,
  type OciLayoutRegistryClientOptions,
} from './OciLayoutRegistryClient';
export { copyImageBetween } from './copyImage';
export { pushImage, pushIndex, type PushImageOptions } from './pushImage';
export { readRegistryConfigs, type RegistryHostConfig } from './config';
export {
  DefaultRegistryService,
  registryServiceRef,
} from './DefaultRegistryService';
