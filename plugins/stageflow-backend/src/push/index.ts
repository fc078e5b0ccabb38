export { PushRefresher } from './PushRefresher';
export { subscribeToGithubEvents } from './subscribeToGithubEvents';
export {
  createRegistryNotificationsRouter,
  REGISTRY_NOTIFICATIONS_PATH,
} from './createRegistryNotificationsRouter';
export { readPushConfig } from './readPushConfig';
