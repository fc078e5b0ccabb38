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
        }>;
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
    snapshots?: {
      /** Minutes between two snapshots of every component. Default 5. */
      frequencyMinutes?: number;
    };
  };
}
