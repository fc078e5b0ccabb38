import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_RESILIENCE,
  readResilienceConfig,
} from './readResilienceConfig';

describe('readResilienceConfig', () => {
  it('gives the defaults without config', () => {
    expect(readResilienceConfig(new ConfigReader({}))).toEqual({
      defaults: DEFAULT_RESILIENCE,
      hosts: new Map(),
    });
  });

  it('merges defaults and per-host overrides, hosts in lower case', () => {
    const config = readResilienceConfig(
      new ConfigReader({
        stageflow: {
          resilience: {
            retries: 1,
            breaker: { consecutiveFailures: 3 },
            hosts: [{ host: 'GHE.example.com', timeoutMs: 20000 }],
          },
        },
      }),
    );
    expect(config.defaults).toEqual({
      ...DEFAULT_RESILIENCE,
      retries: 1,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 30000 },
    });
    expect(config.hosts.get('ghe.example.com')).toEqual({
      ...config.defaults,
      timeoutMs: 20000,
    });
  });

  it.each([
    [{ timeoutMs: 0 }, 'stageflow.resilience.timeoutMs'],
    [
      { breaker: { consecutiveFailures: 0 } },
      'stageflow.resilience.breaker.consecutiveFailures',
    ],
    [{ retries: 'many' }, 'stageflow.resilience.retries'],
    [{ retry: 2 }, 'stageflow.resilience.retry'],
    [{ hosts: [{ timeoutMs: 5 }] }, 'stageflow.resilience.hosts[0].host'],
    [
      { hosts: [{ host: 'a.example' }, { host: 'A.example' }] },
      'stageflow.resilience.hosts[1].host',
    ],
  ])('fails naming the config path of %j', (resilience, path) => {
    expect(() =>
      readResilienceConfig(
        new ConfigReader({ stageflow: { resilience } } as any),
      ),
    ).toThrow(`Invalid config at ${path}:`);
  });
});
