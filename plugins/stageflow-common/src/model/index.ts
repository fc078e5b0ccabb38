export * from './constants';
export * from './naming';
export * from './builders';
export * from './validation';
export * from './contributorRules';
