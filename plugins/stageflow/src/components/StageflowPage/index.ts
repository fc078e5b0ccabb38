export { StageflowPage } from './StageflowPage';
