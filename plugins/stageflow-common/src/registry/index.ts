export * from './imageRef';
