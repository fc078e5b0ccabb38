export interface Config {
  stageflow?: {
    /**
     * The flow of a component without a `stageflow.io/flow` annotation:
     * `oneflow`, `gitflow` or a flow named under `stageflow.flows`.
     * Defaults to `oneflow`.
     * @visibility frontend
     */
    defaultFlow?: string;
  };
}
