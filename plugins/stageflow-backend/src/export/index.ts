export { createExportRouter, toMultiDocumentYaml } from './router';
export type { ExportRouterOptions } from './router';
export {
  ARGOCD_NAMESPACE,
  CHART_PATH_ANNOTATION,
  CLUSTER_SERVER_ANNOTATION,
  DEFAULT_DESTINATION_SERVER,
  TARGET_REVISION_ANNOTATION,
  renderArgoCdExports,
} from './argocd';
export type {
  AppProjectManifest,
  ApplicationSetManifest,
  ArgoCdExportOptions,
  ProjectExport,
  StageInstanceElement,
} from './argocd';
