export interface Config {
  stageflow?: {
    /**
     * The flow of a component without a `stageflow.io/flow` annotation:
     * `oneflow`, `gitflow` or a flow named under `stageflow.flows`.
     * Defaults to `oneflow`.
     */
    defaultFlow?: string;
    /**
     * Flows of your own, by name, beside the presets `oneflow` and `gitflow`.
     * Image templates may use `{image}` (the `stageflow.io/image`
     * annotation), `{sha}`, `{version}` and `{tag}`.
     */
    flows?: {
      [name: string]: {
        /** Release tag pattern holding `{version}` once, e.g. `v{version}`. */
        tagPattern: string;
        branches: {
          /** The branch releases are cut from. */
          release: string;
          /** The integration branch. */
          develop: string;
          /** Hotfix branch pattern holding `{name}`, e.g. `hotfix/{name}`. */
          hotfix: string;
        };
        /** The image every commit publishes, e.g. `{image}/release-candidate:{sha}`. */
        candidateImage: string;
        /** The stages, in order from the first to production. */
        stages: Array<{
          name: string;
          /** The image the stage runs, e.g. `{image}/stable:latest`. */
          image: string;
          /** The tags a promotion to this stage writes. */
          promoteTo?: string[];
          /**
           * The branch whose commits the stage runs; without it the stage
           * is expected to run releases.
           */
          branch?: string;
          /**
           * Where the stage's version is pinned, when not in the registry
           * tag `image`: a file of a GitOps repository (Helm values, an Argo
           * CD Application). The card reads the pin at the branch head; a
           * promotion commits a new pin.
           */
          source?: {
            type: 'gitops';
            /** A git URL, or `host/owner/repo` on a GitHub host of `integrations.github`. */
            repository: string;
            /**
             * The file, e.g. `envs/{stage}/{component}/values.yaml` or
             * `values-{stage}.yaml`; `{component}` is the entity's name.
             * Relative, without `..`.
             */
            path: string;
            /** The branch Argo CD follows. Default `main`. */
            branch?: string;
            /**
             * `push` (default) commits the new pin to the branch;
             * `pull-request` opens a pull request (GitHub) or pushes a
             * branch (other hosts) for review.
             */
            via?: 'push' | 'pull-request';
            /**
             * Dotted paths of the values that pin what runs: `tag` (an image
             * tag, e.g. `image.tag`), `digest` (e.g. `image.digest`; wins
             * over the tag), `revision` (a git revision, e.g.
             * `spec.source.targetRevision`). At least one.
             */
            values: { tag?: string; digest?: string; revision?: string };
            /**
             * The tag a promotion pins, e.g. `{version}` (`{version}`,
             * `{tag}`, `{sha}`). Default: the candidate image's tag.
             */
            pinTag?: string;
          };
          /**
           * A protected stage: a promotion to it waits for `required`
           * approvals by members of the component's owner (`owner`) or of
           * the named groups; the requester cannot approve it.
           */
          approval?: {
            required: number;
            from: 'owner' | string[];
          };
          /**
           * Freeze windows: each opens at the times `cron` names (in
           * `timeZone`, default UTC) and lasts `duration` (ISO 8601, e.g.
           * `PT48H`); a promotion inside one is refused naming it.
           */
          freeze?: Array<{
            name?: string;
            cron: string;
            duration: string;
            timeZone?: string;
          }>;
        }>;
      };
    };
    approvals?: {
      /**
       * How long a promotion request waits before it expires: an ISO 8601
       * duration (`PT24H`) or an object (`{ hours: 24 }`). Default 24 hours.
       */
      expireAfter?:
        | string
        | {
            weeks?: number;
            days?: number;
            hours?: number;
            minutes?: number;
            seconds?: number;
          };
    };
    cache?: {
      /**
       * Seconds a moving fact (what a tag points at, a branch head) is
       * trusted before it is read again. Immutable facts are kept for good.
       * Default 60.
       */
      ttlSeconds?: number;
    };
    /**
     * The contributors that may write a set of catalog entities
     * (`PUT /api/stageflow/v1/contributions/<name>`, the
     * `stageflow:catalog:register` action), by name (1-63 of a-z, 0-9, "-").
     * A contributor that is not listed may not write at all.
     */
    contributors?: {
      [name: string]: {
        /** Who may write the set; the permission policy may refuse more. */
        writers?: {
          /** User refs, `user:default/guest`. */
          users?: string[];
          /** Group refs; their members may write. */
          groups?: string[];
          /** Subjects of service principals (static or external access tokens). */
          services?: string[];
        };
        /**
         * The kinds the set may hold: Component, Resource, System, Domain,
         * Group, User. Default Component and Resource; list User and Group
         * only for an identity source.
         */
        kinds?: Array<
          'Component' | 'Resource' | 'System' | 'Domain' | 'Group' | 'User'
        >;
        /**
         * The annotations Stageflow acts on that the entities may carry:
         * `git` (`stageflow.io/git-url`, `github.com/project-slug`), `image`
         * (`stageflow.io/image`), `cluster` (`kubernetes.io/api-server`; its
         * cluster Resources become Argo CD destinations), `stageflow` (other
         * `stageflow.io/` annotations). Default none.
         */
        annotations?: Array<'git' | 'image' | 'cluster' | 'stageflow'>;
        /** The most entities the set may hold. Default 1000. */
        maxEntities?: number;
      };
    };
    snapshots?: {
      /**
       * Minutes between two snapshots of every component. Default 5, or 30
       * where changes are pushed (GitHub webhooks or registry
       * notifications configured): polling is then the fallback.
       */
      frequencyMinutes?: number;
    };
    /** Notifications upstreams push to Stageflow. */
    notifications?: {
      /**
       * A distribution registry's own notifications (its
       * `notifications.endpoints`), to `POST /api/stageflow/v1/notifications/registry`.
       */
      registry?: {
        /**
         * The shared secret the registry sends as `Authorization: Bearer <secret>`;
         * without one the route is not served.
         * @visibility secret
         */
        secret?: string;
      };
    };
    /**
     * The owner of a repository or image that several catalog entities
     * name: writes (tags, branches, promotions) act on it only through this
     * entity. Keys are a repository (`git.acme.example/acme/phippy`, or any
     * git URL) or an image base (`registry.acme.example/acme/phippy`);
     * values are entity refs. Without an entry, a repository or image named
     * by more than one entity is refused with a conflict naming them all.
     */
    claims?: { [repositoryOrImage: string]: string };

    /**
     * Git remotes other than GitHub hosts (GitHub hosts and their token or
     * GitHub App come from `integrations.github`). A host that is not listed
     * here nor there is never contacted, and `file://` is only reachable
     * through a `baseUrl` set here.
     */
    git?: {
      /**
       * Directory of the cached bare partial clones used by plain-git hosts.
       * Defaults to `stageflow-git-cache` under the OS temp directory.
       */
      cacheDir?: string;
      /**
       * Whether GitHub reads (tags, commits, comparisons) go through GraphQL
       * queries that batch many repositories; default true. With false, or
       * where a GitHub Enterprise version refuses the query, REST reads.
       */
      githubGraphql?: boolean;
      hosts?: Array<{
        /** Host name (with port, if any) as it appears in `stageflow.io/git-url` annotations. */
        host: string;
        /**
         * Where the repositories of this host are really fetched from, when it
         * differs from the annotation (a mirror, or a `file://` directory for
         * the demo). The repository path of the annotation is appended.
         */
        baseUrl?: string;
        /** User name for https remotes. */
        username?: string;
        /**
         * Password or token for https remotes, sent as basic auth to this
         * host only.
         * @visibility secret
         */
        password?: string;
      }>;
    };
    /**
     * Container registries, by host. A host that is not listed is never
     * contacted: an image annotation naming another host is refused before any
     * request.
     *
     * Settings for common registries (`type: distribution` unless noted):
     * - GHCR: `host: ghcr.io`, `username: <user or bot>`, `password: <PAT with
     *   read:packages, write:packages to promote>`.
     * - Google Artifact Registry: `host: <region>-docker.pkg.dev`,
     *   `username: _json_key_base64`, `password: <base64 service account key>`
     *   (or `username: oauth2accesstoken`, `password: <access token>`).
     * - Docker Hub: `host: docker.io` (`index.docker.io` is the same),
     *   `url: https://registry-1.docker.io`, `username`, `password: <access token>`.
     * - Harbor: `host: harbor.example.com`, `username: robot$<project>+<name>`,
     *   `password: <robot secret>`.
     * - Quay: `host: quay.io`, `username: <org>+<robot>`, `password: <robot token>`.
     * - Amazon ECR: `host: <account>.dkr.ecr.<region>.amazonaws.com`,
     *   `username: AWS`, `password: <output of aws ecr get-login-password>`
     *   (valid 12 hours: refresh it from a secret store).
     * - An OCI image layout directory (the embedded demo):
     *   `type: oci-layout`, `path: <directory>`; tags are index.json entries
     *   whose `org.opencontainers.image.ref.name` is `<repository>:<tag>`.
     *
     * @deepVisibility secret
     */
    registries?: Array<{
      /**
       * Registry host (with port when it has one), exactly as in image
       * references, e.g. `ghcr.io` or `localhost:5000`.
       */
      host: string;
      /** `distribution` (OCI distribution API, the default) or `oci-layout` (a directory). */
      type?: 'distribution' | 'oci-layout';
      /** Base URL of the distribution API; defaults to `https://<host>`. */
      url?: string;
      /** Directory of the OCI image layout, for `type: oci-layout`. */
      path?: string;
      /** User name for basic auth or for the token exchange. */
      username?: string;
      /**
       * Password or access token, sent as basic auth or to the token service.
       * @visibility secret
       */
      password?: string;
      /**
       * A bearer token sent as is, without the token exchange.
       * @visibility secret
       */
      token?: string;
      /**
       * Per-request timeout in milliseconds; `stageflow.resilience` (its
       * `hosts` entry for this host) takes precedence.
       */
      timeoutMs?: number;
    }>;
    /**
     * How Stageflow treats failing upstream hosts (GitHub hosts and
     * registries): timeouts, retries of reads, rate limits, circuit breaker.
     * Every key is optional.
     */
    resilience?: {
      /** Longest wait for a response head, per attempt, in ms. Default 10000. */
      timeoutMs?: number;
      /** Retries of a read after no response, a 5xx or a 429. Default 2. */
      retries?: number;
      /** First back-off in ms, doubled per retry. Default 250. */
      backoffMs?: number;
      /** Longest back-off in ms. Default 5000. */
      maxBackoffMs?: number;
      /**
       * Longest `Retry-After` or rate-limit reset, in ms, that a request
       * waits for; a later one fails at once and nothing is sent to the host
       * until then. Default 10000.
       */
      maxRetryAfterMs?: number;
      breaker?: {
        /** Consecutive failures (no response, 5xx) that open the circuit. Default 5. */
        consecutiveFailures?: number;
        /** How long an open circuit refuses requests before one probe, in ms. Default 30000. */
        halfOpenAfterMs?: number;
      };
      /** Overrides per host (as in annotations, e.g. `github.com`, `ghcr.io`). */
      hosts?: Array<{
        host: string;
        timeoutMs?: number;
        retries?: number;
        backoffMs?: number;
        maxBackoffMs?: number;
        maxRetryAfterMs?: number;
        breaker?: {
          consecutiveFailures?: number;
          halfOpenAfterMs?: number;
        };
      }>;
    };
  };
}
