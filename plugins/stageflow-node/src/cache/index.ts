export {
  ResilientCache,
  type ResilientCacheOptions,
  type CacheHealth,
} from './ResilientCache';
export {
  LastKnownCatalog,
  type LastKnownEntity,
  type LastKnownCatalogOptions,
} from './LastKnownCatalog';
