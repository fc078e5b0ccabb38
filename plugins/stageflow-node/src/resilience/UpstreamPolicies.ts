import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  readResilienceConfig,
  ResilienceConfig,
  ResilienceOptions,
} from './readResilienceConfig';
import { UpstreamPolicy } from './UpstreamPolicy';
import type { UpstreamKind } from './UpstreamError';

/** Options of {@link UpstreamPolicies}. @public */
export interface UpstreamPoliciesOptions {
  logger?: LoggerService;
  /** The clock of rate-limit resets; tests move it. */
  now?: () => number;
  /** What sends the requests; benches count them. */
  fetch?: typeof fetch;
}

/**
 * One {@link UpstreamPolicy} per upstream host, built on first use from
 * `stageflow.resilience` (its defaults, and a host's own entry in `hosts`).
 *
 * @public
 */
export class UpstreamPolicies {
  readonly #config: ResilienceConfig;
  readonly #options: UpstreamPoliciesOptions;
  readonly #policies = new Map<string, UpstreamPolicy>();

  static fromConfig(config: Config, options: UpstreamPoliciesOptions = {}) {
    return new UpstreamPolicies(readResilienceConfig(config), options);
  }

  constructor(config: ResilienceConfig, options: UpstreamPoliciesOptions = {}) {
    this.#config = config;
    this.#options = options;
  }

  /**
   * The policy of a host. `overrides` come from older per-host keys (a
   * registry's `timeoutMs`) and lose to the host's `stageflow.resilience` entry.
   */
  forHost(
    kind: UpstreamKind,
    host: string,
    overrides?: Partial<Pick<ResilienceOptions, 'timeoutMs'>>,
  ): UpstreamPolicy {
    const name = host.toLowerCase();
    const key = `${kind}:${name}`;
    let policy = this.#policies.get(key);
    if (!policy) {
      policy = new UpstreamPolicy({
        kind,
        host: name,
        options: this.#config.hosts.get(name) ?? {
          ...this.#config.defaults,
          ...overrides,
        },
        logger: this.#options.logger,
        now: this.#options.now,
        fetch: this.#options.fetch,
      });
      this.#policies.set(key, policy);
    }
    return policy;
  }
}
