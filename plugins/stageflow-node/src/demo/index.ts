export {
  DEMO_GIT_HOST,
  DEMO_REGISTRY_HOST,
  demoStageflowConfig,
  generateDemoData,
} from './generateDemoData';
export type { DemoData } from './generateDemoData';
