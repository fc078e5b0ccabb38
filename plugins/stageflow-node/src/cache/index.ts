export {
  ResilientCache,
  type ResilientCacheOptions,
  type CacheHealth,
} from './ResilientCache';
export {
  LastKnownCatalog,
  type LastKnownEntity,
  type LastKnownEntities,
  type LastKnownEntitiesRequest,
  type LastKnownCatalogOptions,
} from './LastKnownCatalog';
