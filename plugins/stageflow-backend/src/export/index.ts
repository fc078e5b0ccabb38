export { createExportRouter, toMultiDocumentYaml } from './router';
export type { ExportRouterOptions } from './router';
export { readArgoCdExportTrust } from './readArgoCdExportTrust';
export {
  ARGOCD_NAMESPACE,
  CHART_PATH_ANNOTATION,
  CLUSTER_SERVER_ANNOTATION,
  DEFAULT_DESTINATION_SERVER,
  LEFT_OUT_REASONS,
  TARGET_REVISION_ANNOTATION,
  renderArgoCdExports,
} from './argocd';
export type {
  AppProjectManifest,
  ApplicationSetManifest,
  ArgoCdExport,
  ArgoCdExportOptions,
  ArgoCdExportTrust,
  LeftOut,
  LeftOutReason,
  ProjectExport,
  StageInstanceElement,
} from './argocd';
