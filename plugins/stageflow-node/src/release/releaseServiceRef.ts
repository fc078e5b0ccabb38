import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { ReleaseServiceClient } from './ReleaseServiceClient';
import { ReleaseService } from './types';

/**
 * The release service for plugins other than `stageflow` (the scaffolder
 * module): a client of the Stageflow backend, where the one implementation
 * runs next to its database, lock and cache.
 *
 * @public
 */
export const releaseServiceRef = createServiceRef<ReleaseService>({
  id: 'stageflow.release',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      factory: ({ discovery, auth }) =>
        new ReleaseServiceClient({ discovery, auth }),
    }),
});
