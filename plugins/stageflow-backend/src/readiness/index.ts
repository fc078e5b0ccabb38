export { useReadiness } from './router';
