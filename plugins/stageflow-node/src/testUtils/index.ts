/**
 * Real servers for the tests of Stageflow and of its adopters: a fake GitHub
 * REST API over real bare repositories, and Debian's docker-registry on
 * loopback in three auth modes.
 *
 * @packageDocumentation
 */

export {
  startFakeGithubServer,
  type FakeGithubRateLimit,
  type FakeGithubRequest,
  type FakeGithubServer,
} from './git/fakeGithubServer';
export {
  startTestRegistry,
  freePort,
  TEST_USER,
  TEST_PASSWORD,
  type RegistryAuthMode,
  type TestRegistry,
  type TestRegistryNotifications,
} from './registry/registryServer';
export { git, makeTempDir, showRefs } from './git/gitFixtures';
export { startDemoUpstreams, type DemoUpstreams } from './demoUpstreams';
export { startTcpProxy, type TcpProxy } from './tcpProxy';
export {
  createLifecycleRepository,
  openLifecycleRepository,
  type LifecycleRepository,
} from './git/lifecycleFixtures';
